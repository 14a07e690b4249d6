import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AUDIT_CHAIN_BLOCK, AuditChain } from './audit-chain.js';
import { AuditError } from './audit-error.js';
import { ALLOW, arbInput, errorCode, VERSION } from '../test-support/arbitraries.js';
import type { Checkpoint } from './checkpoint.js';
import { decodeRecord } from './decode-record.js';
import { encodeRecord } from './encode-record.js';
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
    const lost = chain.append({ kind: 'audit-lost', timestampNs: 1n, lost: { fromSeq: 1n, toSeq: 1n, count: 1n, decisions: 1n, beforeHash: new Uint8Array(32), lastHash: new Uint8Array(32) } });
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
  test('enqueue + takeSealed seal exactly what append seals, whatever the block boundaries (property)', () => {
    fc.assert(
      fc.property(fc.array(arbInput, { minLength: 1, maxLength: 80 }), fc.array(fc.boolean(), { maxLength: 80 }), (inputs, takes) => {
        const direct = new AuditChain({ policyVersion: VERSION });
        const queued = new AuditChain({ policyVersion: VERSION });
        const expected = inputs.map((input) => direct.appendSealed(input));
        const got = inputs.flatMap((input, i) => {
          expect(queued.enqueue(input)).toBe(BigInt(i + 1));
          return takes[i] === true ? queued.takeSealed() : [];
        });
        got.push(...queued.takeSealed());
        expect(got.map((s) => s.record)).toEqual(expected.map((s) => s.record));
        expect(got.map((s) => [...s.encoded])).toEqual(expected.map((s) => [...s.encoded]));
        for (const { record, encoded } of got) expect([...encoded]).toEqual([...encodeRecord(record)]);
        expect(queued.checkpoint()).toEqual(direct.checkpoint());
        expect(verifyChain(got.map((s) => s.record), queued.checkpoint())).toMatchObject({ ok: true, count: inputs.length });
      }),
      { numRuns: 100 },
    );
  });

  test('a queued record is a copy: changing the input object later changes nothing', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    const input = { ...ALLOW, action: 'ipc.core' };
    chain.enqueue(input);
    input.action = 'crypto.sign';
    expect(chain.takeSealed()[0]?.record.action).toBe('ipc.core');
  });

  test('checkpoint and appendSealed seal the queue first; the queued records still reach takeSealed', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    chain.enqueue(ALLOW);
    const checkpoint = chain.checkpoint();
    const third = chain.appendSealed(ALLOW);
    expect(checkpoint.seq).toBe(1n);
    expect(third.record.seq).toBe(2n);
    const [first] = chain.takeSealed();
    expect(first?.record.hash).toEqual(checkpoint.hash);
    expect(third.record.prevHash).toEqual(first?.record.hash);
    expect(chain.takeSealed()).toEqual([]);
  });

  test('an automatic checkpoint seals the queue, so its hash is the real one', () => {
    const seen: Checkpoint[] = [];
    const chain = new AuditChain({ policyVersion: VERSION, checkpointEvery: 3, onCheckpoint: (c) => seen.push(c) });
    for (let i = 0; i < 3; i++) chain.enqueue(ALLOW);
    expect(seen.map((c) => c.seq)).toEqual([3n]);
    expect(seen[0]?.hash).toEqual(chain.takeSealed()[2]?.record.hash);
  });

  test('test_reject_enqueue_while_a_block_waits_to_be_taken', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    for (let i = 0; i < AUDIT_CHAIN_BLOCK; i++) chain.enqueue(ALLOW);
    expect(errorCode(() => chain.enqueue(ALLOW))).toBe('TOO_LARGE');
    expect(chain.lastSeq).toBe(BigInt(AUDIT_CHAIN_BLOCK));
    expect(chain.takeSealed()).toHaveLength(AUDIT_CHAIN_BLOCK);
    expect(chain.enqueue(ALLOW)).toBe(BigInt(AUDIT_CHAIN_BLOCK + 1));
  });

  test('test_reject_invalid_queued_input_chains_nothing', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    expect(errorCode(() => chain.enqueue({ ...ALLOW, target: 'x'.repeat(65) }))).toBe('BAD_VALUE');
    expect(errorCode(() => chain.enqueue({ ...ALLOW, op: 'none' }))).toBe('BAD_VALUE');
    expect(errorCode(() => chain.enqueue({ ...ALLOW, action: '\ud800' }))).toBe('BAD_VALUE');
    expect(chain.lastSeq).toBe(0n);
    expect(chain.takeSealed()).toEqual([]);
  });
});
