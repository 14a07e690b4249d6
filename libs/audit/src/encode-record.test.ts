import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import { AuditError } from './audit-error.js';
import { AUDIT_LIMITS, type AuditControl, type AuditInput } from './audit-record.js';
import { ALLOW, arbInput, CHECKPOINT, MAXIMAL, VERSION } from '../test-support/arbitraries.js';
import { decodeRecord } from './decode-record.js';
import { encodeRecord } from './encode-record.js';

const lostControl: AuditControl = {
  kind: 'audit-lost', timestampNs: 9n,
  lost: { fromSeq: 1n, toSeq: 1n, count: 1n, decisions: 1n, beforeHash: new Uint8Array(32), lastHash: new Uint8Array(32).fill(7) },
};

function sealed(entry: AuditInput | AuditControl, before = 1): ReturnType<AuditChain['appendSealed']> {
  const chain = new AuditChain({ policyVersion: VERSION });
  for (let i = 0; i < before; i++) chain.append(ALLOW);
  return chain.appendSealed(entry);
}

describe(encodeRecord, () => {
  const cases: [string, AuditInput | AuditControl][] = [
    ['allow check', ALLOW],
    ['maximal deny', MAXIMAL],
    ['malformed with empty action', { ...ALLOW, op: 'unknown', action: '', decision: 'deny', reason: 'malformed', rule: undefined }],
    ['audit-lost', lostControl],
    ['audit-evicted', { ...lostControl, kind: 'audit-evicted' }],
    ['sink-switch to uart', { kind: 'sink-switch', timestampNs: 3n, sink: 'uart' }],
    ['sealed checkpoint', { kind: 'checkpoint', timestampNs: 4n, checkpoint: { ...CHECKPOINT, headSeq: 1n } }],
    ['unsealed checkpoint', { kind: 'checkpoint', timestampNs: 4n, checkpoint: { ...CHECKPOINT, headSeq: 1n, signature: undefined } }],
  ];
  for (const [name, entry] of cases) {
    test(name, () => {
      const { record, encoded } = sealed(entry);
      expect(encodeRecord(record)).toEqual(encoded);
      expect(encoded[0]).toBe(AUDIT_LIMITS.version);
      expect(decodeRecord(encoded)).toEqual(record);
    });
  }

  test('the maximal record fits the 512-byte fields of a logd APPEND', () => {
    const { record } = sealed(MAXIMAL);
    expect(encodeRecord(record).byteLength).toBe(393);
    expect(encodeRecord(record).byteLength).toBeLessThanOrEqual(512);
    const checkpoint = sealed({ kind: 'checkpoint', timestampNs: 4n, checkpoint: { ...CHECKPOINT, headSeq: 1n } }).record;
    expect(encodeRecord(checkpoint).byteLength).toBe(401);
  });

  test('round-trips any record (property)', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const { record, encoded } = sealed(input);
        expect(decodeRecord(encoded)).toEqual(record);
      }),
    );
  });

  test('test_reject_action_over_bound', () => {
    const { record } = sealed(ALLOW);
    expect(() => encodeRecord({ ...record, action: 'x'.repeat(49) })).toThrow(AuditError);
  });
});
