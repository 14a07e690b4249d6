import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import { AuditError } from './audit-error.js';
import { ALLOW, VERSION } from '../test-support/arbitraries.js';
import { encodeRecord } from './encode-record.js';
import { hashRecord } from './hash-record.js';

describe(hashRecord, () => {
  const chain = new AuditChain({ policyVersion: VERSION });
  const first = chain.append(ALLOW);
  const second = chain.append({ ...ALLOW, timestampNs: 2_000n });

  test('is SHA-256(prevHash ‖ encoding without its last 64 bytes)', () => {
    for (const record of [first, second]) {
      const body = encodeRecord(record).slice(0, -64);
      const expected = createHash('sha256').update(record.prevHash).update(body).digest();
      expect(hashRecord(record.prevHash, record)).toEqual(new Uint8Array(expected));
      expect(record.hash).toEqual(new Uint8Array(expected));
    }
  });

  test('ignores the record own hash field and depends on prevHash', () => {
    expect(hashRecord(first.prevHash, { ...first, hash: new Uint8Array(32) })).toEqual(first.hash);
    expect(hashRecord(new Uint8Array(32).fill(1), first)).not.toEqual(first.hash);
  });

  test('test_reject_short_prev_hash', () => {
    expect(() => hashRecord(new Uint8Array(31), first)).toThrow(AuditError);
  });
});
