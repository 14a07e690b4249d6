import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import type { AuditRecord } from './audit-record.js';
import { ALLOW, arbInput, VERSION } from '../test-support/arbitraries.js';
import type { Checkpoint } from './checkpoint.js';
import { hashRecord } from './hash-record.js';
import { verifyChain, type ChainBreakKind } from './verify-chain.js';

function build(n: number): { records: AuditRecord[]; checkpoint: Checkpoint } {
  const chain = new AuditChain({ policyVersion: VERSION });
  const records = Array.from({ length: n }, (_, i) => chain.append({ ...ALLOW, timestampNs: BigInt(i) }));
  return { records, checkpoint: chain.checkpoint() };
}

/** What an attacker without the checkpoint can do: recompute every hash from `from` on. */
function rehash(records: AuditRecord[], from: number): AuditRecord[] {
  const out = records.slice(0, from);
  for (const r of records.slice(from)) {
    const prevHash = out.at(-1)?.hash ?? new Uint8Array(32);
    out.push({ ...r, prevHash, hash: hashRecord(prevHash, r) });
  }
  return out;
}

function renumber(records: AuditRecord[]): AuditRecord[] {
  return records.map((r, i) => ({ ...r, seq: BigInt(i + 1) }));
}

const { records, checkpoint } = build(6);

describe(verifyChain, () => {
  test('an intact chain verifies with and without its checkpoint', () => {
    expect(verifyChain(records, checkpoint)).toEqual({ ok: true, count: 6, lastSeq: 6n, lastHash: records[5]!.hash });
    expect(verifyChain(records)).toMatchObject({ ok: true, count: 6 });
    expect(verifyChain([], { ...checkpoint, seq: 0n, hash: new Uint8Array(32) })).toMatchObject({ ok: true, count: 0 });
  });

  test('a window of a journal verifies without a checkpoint', () => {
    expect(verifyChain(records.slice(2, 5))).toMatchObject({ ok: true, count: 3, lastSeq: 5n });
  });

  const tampers: [string, () => AuditRecord[], ChainBreakKind, number][] = [
    ['modify a field', () => records.map((r, i) => (i === 2 ? { ...r, action: 'crypto.sign' } : r)), 'hash-mismatch', 2],
    ['modify and rehash that record', () => rehash(records.map((r, i) => (i === 2 ? { ...r, decision: 'deny', reason: 'no-rule' } : r)), 2).map((r, i) => (i > 2 ? records[i]! : r)), 'prev-mismatch', 3],
    ['modify and rehash everything after', () => rehash(records.map((r, i) => (i === 2 ? { ...r, subjectId: 1n } : r)), 2), 'checkpoint-mismatch', 5],
    ['delete a record', () => records.filter((_, i) => i !== 3), 'gap', 3],
    ['delete, renumber and rehash', () => rehash(renumber(records.filter((_, i) => i !== 3)), 3), 'truncated', 5],
    ['delete the first record', () => records.slice(1), 'truncated', 0],
    ['insert a forged record', () => [...records.slice(0, 3), { ...records[2]!, seq: 4n }, ...records.slice(3)], 'prev-mismatch', 3],
    ['insert, renumber and rehash', () => rehash(renumber([...records.slice(0, 3), records[1]!, ...records.slice(3)]), 3), 'checkpoint-mismatch', 5],
    ['reorder two records', () => [records[0]!, records[2]!, records[1]!, ...records.slice(3)], 'gap', 1],
    ['swap the last two', () => [...records.slice(0, 4), records[5]!, records[4]!], 'gap', 4],
    ['reorder behind a declared range', () => [...records.slice(0, 4), records[3]!, records[5]!], 'duplicate', 4],
    ['move a record back', () => [...records.slice(0, 5), records[1]!, records[5]!], 'reorder', 5],
    ['truncate the tail', () => records.slice(0, 4), 'truncated', 4],
    ['truncate everything', () => [], 'truncated', 0],
    ['duplicate a record', () => [...records.slice(0, 3), records[2]!, ...records.slice(3)], 'duplicate', 3],
    ['replace prevHash', () => records.map((r, i) => (i === 4 ? { ...r, prevHash: new Uint8Array(32) } : r)), 'prev-mismatch', 4],
  ];
  for (const [name, tamper, kind, index] of tampers) {
    test(`detects: ${name}`, () => {
      expect(verifyChain(tamper(), checkpoint)).toMatchObject({ ok: false, kind, index });
    });
  }

  test('detects a checkpoint from another policy or with other losses', () => {
    expect(verifyChain(records, { ...checkpoint, policyVersion: `sha256:${'00'.repeat(32)}` })).toMatchObject({ ok: false, kind: 'checkpoint-mismatch', index: 0 });
    expect(verifyChain(records, { ...checkpoint, dropped: 1n })).toMatchObject({ ok: false, kind: 'checkpoint-mismatch', index: 5 });
  });

  test('test_reject_records_past_the_checkpoint', () => {
    const early = { ...checkpoint, seq: 3n, hash: records[2]!.hash };
    expect(verifyChain(records.slice(0, 3), early)).toMatchObject({ ok: true, count: 3 });
    expect(verifyChain(records, early)).toMatchObject({ ok: false, kind: 'checkpoint-mismatch', index: 3 });
  });

  describe('a declared loss', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    const all = [1, 2, 3, 4].map(() => chain.append(ALLOW));
    const lost = chain.append({ kind: 'audit-lost', timestampNs: 9n, lost: { fromSeq: 2n, toSeq: 3n, count: 2n, decisions: 2n, beforeHash: all[0]!.hash, lastHash: all[2]!.hash } });
    const after = chain.append(ALLOW);
    chain.noteLost();
    chain.noteLost();
    const stored = [all[0]!, all[3]!, lost, after];

    test('explains the gap it declares', () => {
      expect(verifyChain(stored, chain.checkpoint())).toMatchObject({ ok: true, count: 4, lastSeq: 6n });
    });
    test('links the record after the range to lastHash', () => {
      const forged = [all[0]!, { ...all[3]!, prevHash: new Uint8Array(32).fill(1) }, lost, after];
      expect(verifyChain(rehash(forged, 1).map((r, i) => (i > 1 ? stored[i]! : r)), chain.checkpoint())).toMatchObject({ ok: false, kind: 'prev-mismatch', index: 1 });
    });
    test('does not explain a gap outside its range', () => {
      expect(verifyChain([all[0]!, lost, after])).toMatchObject({ ok: false, kind: 'gap', index: 1 });
    });
    test('must match the checkpoint dropped count', () => {
      expect(verifyChain(stored, { ...chain.checkpoint(), dropped: 0n })).toMatchObject({ ok: false, kind: 'checkpoint-mismatch' });
    });
    test('a huge undeclared gap is found without walking it', () => {
      const far = { ...after, seq: 2n ** 63n };
      expect(verifyChain([all[0]!, far])).toMatchObject({ ok: false, kind: 'gap', index: 1 });
    });
  });

  test('any single tamper of a random chain is detected against its checkpoint (property)', () => {
    const tamper = fc.oneof(
      fc.record({ t: fc.constant('modify' as const), at: fc.nat(), ts: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), rehashed: fc.boolean() }),
      fc.record({ t: fc.constant('delete' as const), at: fc.nat(), renumbered: fc.boolean() }),
      fc.record({ t: fc.constant('insert' as const), at: fc.nat(), from: fc.nat(), renumbered: fc.boolean() }),
      fc.record({ t: fc.constant('swap' as const), at: fc.nat() }),
      fc.record({ t: fc.constant('truncate' as const), keep: fc.nat() }),
      fc.record({ t: fc.constant('duplicate' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(arbInput, { minLength: 1, maxLength: 12 }), tamper, (inputs, t) => {
        const chain = new AuditChain({ policyVersion: VERSION });
        const rs = inputs.map((input) => chain.append(input));
        const cp = chain.checkpoint();
        const n = rs.length;
        let out: AuditRecord[];
        switch (t.t) {
          case 'modify': {
            const at = t.at % n;
            const target = rs[at]!;
            const changed = { ...target, timestampNs: target.timestampNs === t.ts ? t.ts ^ 1n : t.ts };
            out = rs.map((r, i) => (i === at ? changed : r));
            if (t.rehashed) out = rehash(out, at);
            break;
          }
          case 'delete': {
            out = rs.filter((_, i) => i !== t.at % n);
            if (t.renumbered) out = rehash(renumber(out), t.at % n);
            break;
          }
          case 'insert': {
            const at = t.at % (n + 1);
            out = [...rs.slice(0, at), rs[t.from % n]!, ...rs.slice(at)];
            if (t.renumbered) out = rehash(renumber(out), at);
            break;
          }
          case 'swap': {
            if (n < 2) return;
            const at = t.at % (n - 1);
            out = [...rs.slice(0, at), rs[at + 1]!, rs[at]!, ...rs.slice(at + 2)];
            break;
          }
          case 'truncate':
            out = rs.slice(0, t.keep % n);
            break;
          case 'duplicate': {
            const at = t.at % n;
            out = [...rs.slice(0, at + 1), rs[at]!, ...rs.slice(at + 1)];
            break;
          }
        }
        expect(verifyChain(out, cp).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('verifyChain with many declared losses', () => {
  test('verifies a journal where every other record is lost and declared', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    const kept: AuditRecord[] = [chain.append(ALLOW)];
    for (let i = 0; i < 5_000; i++) {
      const gone = chain.append(ALLOW);
      chain.noteLost();
      kept.push(chain.append({ kind: 'audit-lost', timestampNs: 0n, lost: { fromSeq: gone.seq, toSeq: gone.seq, count: 1n, decisions: 1n, beforeHash: gone.prevHash, lastHash: gone.hash } }));
    }
    expect(verifyChain(kept, chain.checkpoint())).toMatchObject({ ok: true, count: 5_001, lastSeq: 10_001n });
    expect(verifyChain([kept[0]!, ...kept.slice(2)])).toMatchObject({ ok: false, kind: 'gap', index: 1 });
  });
});

describe('verifyChain: losses that bridge the chain (issue #12 attacks)', () => {
  /** A journal of 12 records where 6..8 were lost and declared at seq 11 (the reviewer's shape). */
  function lossyJournal(): { stored: AuditRecord[]; checkpoint: Checkpoint; all: AuditRecord[] } {
    const chain = new AuditChain({ policyVersion: VERSION });
    const deny = { ...ALLOW, decision: 'deny', reason: 'no-rule', action: 'crypto.sign' } as const;
    const all = Array.from({ length: 10 }, (_, i) => chain.append({ ...deny, timestampNs: BigInt(i) }));
    const lost = { fromSeq: 6n, toSeq: 8n, count: 3n, decisions: 3n, beforeHash: all[4]!.hash, lastHash: all[7]!.hash };
    all.push(chain.append({ kind: 'audit-lost', timestampNs: 11n, lost }), chain.append({ ...deny, timestampNs: 12n }));
    chain.noteLost(3n);
    return { stored: all.filter((r) => r.seq < 6n || r.seq > 8n), checkpoint: chain.checkpoint(), all };
  }

  test('a genuine journal with a declared loss verifies', () => {
    const { stored, checkpoint } = lossyJournal();
    expect(verifyChain(stored, checkpoint)).toMatchObject({ ok: true, count: 9, lastSeq: 12n });
  });

  test('test_reject_prefix_rewrite_under_declared_loss: seq 1..5 turned into ALLOWs and re-chained', () => {
    const { stored, checkpoint } = lossyJournal();
    const forged = rehash(
      stored.map((r) => (r.seq <= 5n ? { ...r, decision: 'allow', reason: 'policy-allow', action: 'crypto.sign', target: 'keystored' } as AuditRecord : r)),
      0,
    ).map((r, i) => (stored[i]!.seq > 5n ? stored[i]! : r));
    expect(verifyChain(forged, checkpoint)).toMatchObject({ ok: false, kind: 'prev-mismatch', seq: 5n, index: 4 });
    expect(verifyChain(forged)).toMatchObject({ ok: false, kind: 'prev-mismatch', seq: 5n });
  });

  test('test_reject_record_inside_lost_range: a fabricated record placed in the gap', () => {
    const { stored, all, checkpoint } = lossyJournal();
    const fake = { ...all[6]!, action: 'ipc.core' };
    const forged = [...stored.slice(0, 5), { ...fake, hash: hashRecord(fake.prevHash, fake) }, ...stored.slice(5)];
    expect(verifyChain(forged, checkpoint)).toMatchObject({ ok: false, kind: 'lost-range', seq: 7n, index: 5 });
    // The genuine record itself is refused inside its declared run too: a run says it is missing.
    expect(verifyChain([...stored.slice(0, 5), all[6]!, ...stored.slice(5)])).toMatchObject({ ok: false, kind: 'lost-range', seq: 7n });
  });

  test('test_reject_lost_count_mismatch: a run whose count is not toSeq - fromSeq + 1', () => {
    const { stored } = lossyJournal();
    const forged = stored.map((r) => (r.kind === 'audit-lost' ? { ...r, lost: { ...r.lost!, count: 1n } } : r));
    expect(verifyChain(forged)).toMatchObject({ ok: false, kind: 'lost-range', seq: 11n });
  });

  test('test_reject_overlapping_runs', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    const rs = [1, 2, 3].map(() => chain.append(ALLOW));
    const a = chain.append({ kind: 'audit-lost', timestampNs: 0n, lost: { fromSeq: 2n, toSeq: 3n, count: 2n, decisions: 2n, beforeHash: rs[0]!.hash, lastHash: rs[2]!.hash } });
    const b = chain.append({ kind: 'audit-evicted', timestampNs: 0n, lost: { fromSeq: 3n, toSeq: 3n, count: 1n, decisions: 1n, beforeHash: rs[1]!.hash, lastHash: rs[2]!.hash } });
    expect(verifyChain([rs[0]!, a, b])).toMatchObject({ ok: false, kind: 'lost-range', seq: 5n, index: 2 });
  });

  test('test_reject_run_not_bridged_to_the_run_before_it', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    const rs = [1, 2, 3].map(() => chain.append(ALLOW));
    const a = chain.append({ kind: 'audit-lost', timestampNs: 0n, lost: { fromSeq: 2n, toSeq: 2n, count: 1n, decisions: 1n, beforeHash: rs[0]!.hash, lastHash: rs[1]!.hash } });
    const b = chain.append({ kind: 'audit-lost', timestampNs: 0n, lost: { fromSeq: 3n, toSeq: 3n, count: 1n, decisions: 1n, beforeHash: new Uint8Array(32).fill(9), lastHash: rs[2]!.hash } });
    expect(verifyChain([rs[0]!, a, b])).toMatchObject({ ok: false, kind: 'prev-mismatch', seq: 5n });
  });
});

describe('verifyChain: a gap left by a UART episode', () => {
  const chain = new AuditChain({ policyVersion: VERSION });
  const all = [
    chain.append({ ...ALLOW }),
    chain.append({ kind: 'sink-switch', timestampNs: 2n, sink: 'uart' }),
    chain.append({ ...ALLOW }),
    chain.append({ kind: 'sink-switch', timestampNs: 4n, sink: 'primary' }),
    chain.append({ ...ALLOW }),
  ];

  test('test_reject_primary_alone_after_uart_episode: the gap names the switch back, where the missing records went', () => {
    const result = verifyChain([all[0], all[3], all[4]] as AuditRecord[]);
    expect(result).toMatchObject({ ok: false, kind: 'gap', seq: 4n });
    expect(!result.ok && result.detail).toBe('seq 2 is missing and no run declares it (the chain came back from the UART at seq 4: the records before it went to the serial line, and only the merge of both verifies)');
  });

  test('the primary merged with the UART records verifies', () => {
    expect(verifyChain(all)).toMatchObject({ ok: true, count: 5 });
  });

  test('a gap with no switch nearby carries no hint', () => {
    const result = verifyChain([all[0], all[4]] as AuditRecord[]);
    expect(!result.ok && result.detail).toBe('seq 2 is missing and no run declares it');
  });
});
