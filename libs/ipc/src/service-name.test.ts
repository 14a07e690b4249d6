import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import { IPC_LIMITS } from './ipc-limits.js';
import { isServiceName, SERVICE_NAME_MAX_BYTES, SERVICE_NAME_PATTERN } from './service-name.js';

describe(isServiceName, () => {
  const valid = ['a', 'keystored', 'demo.testsvc', 'init-lite', 'a_b', '0', 'x'.repeat(48), '...', '-'];
  for (const name of valid) {
    it(JSON.stringify(name), () => {
      expect(isServiceName(name)).toBe(true);
    });
  }

  const invalid: ReadonlyArray<readonly [string, unknown]> = [
    ['empty', ''],
    ['49 bytes', 'x'.repeat(49)],
    ['uppercase', 'KeyStored'],
    ['space', 'key stored'],
    ['slash', 'a/b'],
    ['trailing newline', 'logd\n'],
    ['non-ASCII', 'pölicyd'],
    ['number', 42],
    ['undefined', undefined],
    ['boxed string', Object('logd')],
  ];
  for (const [label, name] of invalid) {
    it(`test_reject_service_name ${label}`, () => {
      expect(isServiceName(name)).toBe(false);
    });
  }

  test('the bound is the kernel limit and the pattern agrees with the predicate', () => {
    expect(SERVICE_NAME_MAX_BYTES).toBe(IPC_LIMITS.maxNameBytes);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: fc.constantFrom(...'az09._-Z/ é'), maxLength: 60 })), (name) => {
        const canonical = name.length >= 1 && name.length <= SERVICE_NAME_MAX_BYTES && [...name].every((c) => /[a-z0-9._-]/.test(c));
        expect(isServiceName(name)).toBe(canonical);
        expect(SERVICE_NAME_PATTERN.test(name)).toBe(canonical);
      }),
    );
  });
});
