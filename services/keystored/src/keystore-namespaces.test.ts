import { KS_STATUS } from '@nexus/proto';
import { describe, expect, test } from 'vitest';
import { KeystoreNamespaces } from './keystore-namespaces.js';
import { KeystoredError } from './keystored-error.js';

describe(KeystoreNamespaces, () => {
  test('a stored value is a copy: mutating the caller\u2019s buffer or the returned one changes nothing', () => {
    const ns = new KeystoreNamespaces();
    const value = Uint8Array.of(1, 2);
    ns.put(1n, 'k', value);
    value[0] = 9;
    const got = ns.get(1n, 'k');
    if (got.status !== KS_STATUS.OK) throw new Error('not stored');
    got.value[1] = 9;
    expect(ns.get(1n, 'k')).toEqual({ status: KS_STATUS.OK, value: Uint8Array.of(1, 2) });
  });

  test('the same key under two callers is two entries', () => {
    const ns = new KeystoreNamespaces();
    expect(ns.put(1n, 'k', Uint8Array.of(1))).toBe(KS_STATUS.OK);
    expect(ns.put(2n, 'k', Uint8Array.of(2))).toBe(KS_STATUS.OK);
    expect(ns.del(2n, 'k')).toBe(KS_STATUS.OK);
    expect(ns.get(1n, 'k')).toEqual({ status: KS_STATUS.OK, value: Uint8Array.of(1) });
    expect(ns.get(2n, 'k')).toEqual({ status: KS_STATUS.NOT_FOUND });
  });

  test('test_reject_put_over_entry_bound, and DEL frees the slot', () => {
    const ns = new KeystoreNamespaces({ maxEntriesPerCaller: 2 });
    expect(ns.put(1n, 'a', Uint8Array.of())).toBe(KS_STATUS.OK);
    expect(ns.put(1n, 'b', Uint8Array.of())).toBe(KS_STATUS.OK);
    expect(ns.put(1n, 'c', Uint8Array.of())).toBe(KS_STATUS.TOO_LARGE);
    expect(ns.put(1n, 'a', Uint8Array.of())).toBe(KS_STATUS.KEY_EXISTS);
    expect(ns.del(1n, 'a')).toBe(KS_STATUS.OK);
    expect(ns.put(1n, 'c', Uint8Array.of())).toBe(KS_STATUS.OK);
  });

  for (const limits of [{ maxCallers: 0 }, { maxEntriesPerCaller: 1.5 }, { maxCallers: 5000 }]) {
    test(`test_reject_bad_limits ${JSON.stringify(limits)}`, () => {
      expect(() => new KeystoreNamespaces(limits)).toThrow(KeystoredError);
    });
  }
});
