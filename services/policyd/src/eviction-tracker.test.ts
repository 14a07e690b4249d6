import { AuditChain, type AuditRecord } from '@nexus/audit';
import { describe, expect, test } from 'vitest';
import { EVICTION_TRACKER_LIMIT, EvictionTracker } from './eviction-tracker.js';

const VERSION = `sha256:${'ab'.repeat(32)}`;

function records(n: number): AuditRecord[] {
  const chain = new AuditChain({ policyVersion: VERSION });
  return Array.from({ length: n }, (_, i) =>
    chain.appendSealed({
      timestampNs: BigInt(i), subjectId: 1n, senderId: 1n, op: 'version', action: 'policy.version',
      decision: 'allow', reason: 'policy-allow', policyVersion: VERSION,
    }).record,
  );
}

describe('EvictionTracker', () => {
  test('ids ≤ dropped become runs of consecutive seqs, bridged, each reported once', () => {
    const r = records(6);
    const t = new EvictionTracker();
    // seq 3 went to the UART (no id at logd): logd ids 1, 2, 3, 4, 5 hold seqs 1, 2, 4, 5, 6.
    [r[0], r[1], r[3], r[4], r[5]].forEach((rec, i) => t.stored(BigInt(i + 1), rec!));
    t.dropped(3n);
    const out = t.take();
    expect(out.map((x) => [x.fromSeq, x.toSeq, x.decisions])).toEqual([[1n, 2n, 2n], [4n, 4n, 1n]]);
    expect(out[0]!.beforeHash).toEqual(new Uint8Array(32));
    expect(out[0]!.lastHash).toEqual(r[1]!.hash);
    expect(out[1]!.beforeHash).toEqual(r[2]!.hash);
    expect(t.take()).toEqual([]);
    expect(t.held).toBe(2);
  });

  test('a reply overtaken by a later dropped count is evicted at once', () => {
    const r = records(3);
    const t = new EvictionTracker();
    t.stored(1n, r[0]!);
    t.dropped(2n);
    t.stored(2n, r[1]!);
    expect(t.take().map((x) => [x.fromSeq, x.toSeq])).toEqual([[1n, 2n]]);
  });

  const rejects: [string, (t: EvictionTracker, r: AuditRecord[]) => void][] = [
    ['test_reject_dropped_going_backwards', (t) => t.dropped(0n)],
    ['test_reject_dropped_repeated', (t) => (t.dropped(1n), t.dropped(1n))],
  ];
  for (const [name, act] of rejects) {
    test(name, () => {
      const r = records(2);
      const t = new EvictionTracker();
      t.stored(1n, r[0]!);
      t.stored(2n, r[1]!);
      act(t, r);
      expect(t.take().reduce((n, x) => n + (x.toSeq - x.fromSeq + 1n), 0n)).toBeLessThanOrEqual(1n);
    });
  }

  test('reset forgets what a previous logd held (a new journal numbers from 1)', () => {
    const r = records(2);
    const t = new EvictionTracker();
    t.stored(1n, r[0]!);
    t.reset();
    t.stored(1n, r[1]!);
    t.dropped(1n);
    expect(t.take().map((x) => x.fromSeq)).toEqual([2n]);
  });

  test('test_reject_fabricated_eviction: past its limit the tracker forgets the oldest, never reports a record logd still holds as evicted', () => {
    // A durable logd holds far more records than the tracker: it evicts none of them.
    const [rec] = records(1);
    const t = new EvictionTracker();
    const over = 10;
    for (let i = 1; i <= EVICTION_TRACKER_LIMIT + over; i++) t.stored(BigInt(i), { ...rec!, seq: BigInt(i) });
    expect(t.take()).toEqual([]);
    expect(t.held).toBe(EVICTION_TRACKER_LIMIT);
    expect(t.unbridged).toBe(0n);
    // Should logd then evict records the tracker forgot, those cannot be bridged: counted, not invented.
    t.dropped(BigInt(over + 2));
    expect(t.unbridged).toBe(BigInt(over));
    expect(t.take().map((x) => [x.fromSeq, x.toSeq])).toEqual([[BigInt(over + 1), BigInt(over + 2)]]);
  });
});
