import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import { AuditError } from './audit-error.js';
import { ALLOW, VERSION } from './arbitraries.test.js';
import type { Checkpoint } from './checkpoint.js';
import { decodeRecord } from './decode-record.js';
import { verifyChain } from './verify-chain.js';

describe(AuditChain, () => {
  test('assigns contiguous seqs from 1 and links each record to the previous hash', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    const a = chain.append(ALLOW);
    const b = chain.append({ kind: 'sink-switch', timestampNs: 5n, sink: 'uart' });
    const c = chain.append(ALLOW);
    expect([a.seq, b.seq, c.seq]).toEqual([1n, 2n, 3n]);
    expect(a.prevHash).toEqual(new Uint8Array(32));
    expect(b.prevHash).toEqual(a.hash);
    expect(c.prevHash).toEqual(b.hash);
    expect(chain.lastSeq).toBe(3n);
    expect(verifyChain([a, b, c], chain.checkpoint())).toMatchObject({ ok: true, count: 3, lastSeq: 3n });
  });

  test('control records carry only their payload and the chain policy version', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    chain.append(ALLOW);
    const lost = chain.append({ kind: 'audit-lost', timestampNs: 1n, lost: { fromSeq: 1n, toSeq: 1n, count: 1n, decisions: 1n, lastHash: new Uint8Array(32) } });
    expect(lost).toMatchObject({ kind: 'audit-lost', op: 'none', reason: 'none', decision: 'deny', subjectId: 0n, action: '', policyVersion: VERSION });
    expect(chain.checkpoint().dropped).toBe(0n);
    chain.noteLost();
    expect(chain.checkpoint().dropped).toBe(1n);
  });

  test('appendSealed returns the encoding of the record', () => {
    const { record, encoded } = new AuditChain({ policyVersion: VERSION }).appendSealed(ALLOW);
    expect(decodeRecord(encoded)).toEqual(record);
  });

  test('produces a checkpoint every N records', () => {
    const seen: Checkpoint[] = [];
    const chain = new AuditChain({ policyVersion: VERSION, checkpointEvery: 2, onCheckpoint: (c) => seen.push(c) });
    const records = [1, 2, 3, 4, 5].map(() => chain.append(ALLOW));
    expect(seen.map((c) => c.seq)).toEqual([2n, 4n]);
    expect(seen[1]?.hash).toEqual(records[3]?.hash);
  });

  test('test_reject_other_policy_version', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    expect(() => chain.append({ ...ALLOW, policyVersion: `sha256:${'cd'.repeat(32)}` })).toThrow(AuditError);
    expect(chain.lastSeq).toBe(0n);
  });

  test('test_reject_invalid_input_chains_nothing', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    expect(() => chain.append({ ...ALLOW, action: 'x'.repeat(49) })).toThrow(AuditError);
    expect(chain.append(ALLOW).seq).toBe(1n);
  });

  test('test_reject_bad_options', () => {
    expect(() => new AuditChain({ policyVersion: 'v1' })).toThrow(AuditError);
    expect(() => new AuditChain({ policyVersion: VERSION, checkpointEvery: -1 })).toThrow(AuditError);
  });
});
