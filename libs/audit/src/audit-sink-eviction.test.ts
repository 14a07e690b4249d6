import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import { AuditError } from './audit-error.js';
import type { AuditRecord } from './audit-record.js';
import { ALLOW, VERSION } from '../test-support/arbitraries.js';
import { AuditSink, type AuditTransport, type EvictionReport } from './audit-sink.js';
import { DENY, MemoryPrimary, MemoryUart } from '../test-support/seal-rig.js';
import { verifyChain } from './verify-chain.js';

function rig(options: { recentRecords?: number; realNowMs?: () => number; primary?: AuditTransport } = {}): {
  sink: AuditSink; primary: MemoryPrimary; uart: MemoryUart; chain: AuditChain; clock: { t: bigint };
} {
  const chain = new AuditChain({ policyVersion: VERSION });
  const primary = (options.primary ?? new MemoryPrimary()) as MemoryPrimary;
  const uart = new MemoryUart();
  const clock = { t: 0n };
  const sink = new AuditSink({
    chain, primary, uart, now: () => clock.t, realNowMs: options.realNowMs ?? (() => 0), retryAfterNs: 1_000_000_000n,
    ...(options.recentRecords === undefined ? {} : { recentRecords: options.recentRecords }),
  });
  return { sink, primary, uart, chain, clock };
}

describe('AuditSink.declareEvicted', () => {
  test('an eviction flood in the primary is declared in the chain, bridged with the sink\'s own hashes', async () => {
    const { sink, primary, chain } = rig();
    for (let i = 0; i < 10; i++) sink.record(i % 2 === 0 ? ALLOW : DENY);
    await sink.flush();
    // logd evicted seqs 1..6 (its oldest): policyd declares them.
    const outcome = sink.declareEvicted({ fromSeq: 1n, toSeq: 6n });
    await sink.flush();
    const evicted = primary.stored.find((r) => r.seq === outcome.seq)!;
    expect(evicted).toMatchObject({ kind: 'audit-evicted', lost: { fromSeq: 1n, toSeq: 6n, count: 6n, decisions: 6n } });
    expect(evicted.lost!.beforeHash).toEqual(new Uint8Array(32));
    expect(evicted.lost!.lastHash).toEqual(primary.stored[5]!.hash);
    const held = primary.stored.filter((r) => r.seq > 6n);
    expect(verifyChain(held, chain.checkpoint())).toMatchObject({ ok: true });
    expect(verifyChain(held, undefined, { fromStart: true })).toMatchObject({ ok: true });
    expect(sink.stats()).toMatchObject({ evicted: 6n, evictedDecisions: 6n, lost: 0n });
    const s = sink.stats();
    expect(s.recorded + s.lost + BigInt(s.inFlight)).toBe(s.chained);
  });

  test('a run in the middle is bridged on both sides', async () => {
    const { sink, primary } = rig();
    for (let i = 0; i < 8; i++) sink.record(ALLOW);
    await sink.flush();
    sink.declareEvicted({ fromSeq: 3n, toSeq: 5n });
    await sink.flush();
    const run = primary.stored.at(-1)!.lost!;
    expect(run.beforeHash).toEqual(primary.stored[1]!.hash);
    expect(verifyChain(primary.stored.filter((r) => r.seq < 3n || r.seq > 5n), undefined, { fromStart: true })).toMatchObject({ ok: true });
  });

  const rejects: [string, (sink: AuditSink, stored: readonly AuditRecord[]) => unknown][] = [
    ['test_reject_eviction_past_the_chain', (sink) => sink.declareEvicted({ fromSeq: 5n, toSeq: 99n })],
    ['test_reject_eviction_from_zero', (sink) => sink.declareEvicted({ fromSeq: 0n, toSeq: 2n })],
    ['test_reject_eviction_backwards', (sink) => sink.declareEvicted({ fromSeq: 3n, toSeq: 2n })],
    ['test_reject_eviction_twice', (sink) => (sink.declareEvicted({ fromSeq: 2n, toSeq: 3n }), sink.declareEvicted({ fromSeq: 3n, toSeq: 3n }))],
    ['test_reject_eviction_with_contradicting_hash', (sink) => sink.declareEvicted({ fromSeq: 2n, toSeq: 3n, lastHash: new Uint8Array(32).fill(1) })],
    ['test_reject_eviction_with_contradicting_decisions', (sink) => sink.declareEvicted({ fromSeq: 2n, toSeq: 3n, decisions: 1n })],
    ['test_reject_eviction_of_number_seqs', (sink) => sink.declareEvicted({ fromSeq: 2 as unknown as bigint, toSeq: 3n })],
  ];
  for (const [name, act] of rejects) {
    test(name, async () => {
      const { sink, primary } = rig();
      for (let i = 0; i < 4; i++) sink.record(ALLOW);
      await sink.flush();
      const before = sink.stats().chained;
      expect(() => act(sink, primary.stored)).toThrow(AuditError);
      if (name !== 'test_reject_eviction_twice') expect(sink.stats().chained).toBe(before);
    });
  }

  test('test_reject_eviction_of_records_not_held_by_the_primary (UART, in flight)', async () => {
    const { sink, primary } = rig();
    sink.record(ALLOW);
    primary.refuse = true;
    sink.record(DENY); // to the UART
    expect(() => sink.declareEvicted({ fromSeq: 2n, toSeq: 2n })).toThrow(/not held by the primary \(uart\)/);
    primary.refuse = false;
    sink.retryPrimary();
    sink.record(DENY);
    expect(() => sink.declareEvicted({ fromSeq: 4n, toSeq: 5n })).toThrow(AuditError);
  });

  test('past its memory the sink needs the hashes and decisions reported, and takes them', async () => {
    const { sink, primary } = rig({ recentRecords: 4 });
    for (let i = 0; i < 10; i++) sink.record(ALLOW);
    await sink.flush();
    expect(() => sink.declareEvicted({ fromSeq: 2n, toSeq: 3n })).toThrow(/decisions is required/);
    expect(() => sink.declareEvicted({ fromSeq: 2n, toSeq: 3n, decisions: 2n })).toThrow(/beforeHash is required/);
    sink.declareEvicted({ fromSeq: 2n, toSeq: 3n, decisions: 2n, beforeHash: primary.stored[0]!.hash, lastHash: primary.stored[2]!.hash });
    await sink.flush();
    expect(verifyChain(primary.stored.filter((r) => r.seq < 2n || r.seq > 3n), undefined, { fromStart: true })).toMatchObject({ ok: true });
  });
});

describe('AuditSink self-healing on real elapsed time', () => {
  /** A primary whose deliveries fail until `healthy`, with the virtual clock standing still. */
  class FlakyPrimary implements AuditTransport {
    healthy = false;
    readonly stored: AuditRecord[] = [];
    offer(record: AuditRecord): Promise<boolean> {
      if (!this.healthy) return Promise.resolve(false);
      this.stored.push(record);
      return Promise.resolve(true);
    }
  }

  test('test_reject_virtual_clock_stall: after a flood the primary is probed once real time passed the retry interval', async () => {
    const real = { ms: 0 };
    const primary = new FlakyPrimary();
    const { sink } = rig({ realNowMs: () => real.ms, primary });
    sink.record(ALLOW);
    await sink.flush(); // failed later: the primary is down
    primary.healthy = true;
    expect(sink.record(DENY).destination).toBe('uart');
    real.ms += 999;
    expect(sink.record(DENY).destination).toBe('uart');
    real.ms += 1; // the virtual clock never moved: real time alone ends the interval
    expect(sink.record(DENY).destination).toBe('primary');
    await sink.flush();
    expect(sink.stats().sink).toBe('primary');
    expect(sink.record(ALLOW).destination).toBe('primary');
  });

  test('the UART budget refills on real time too, once per interval', async () => {
    const real = { ms: 0 };
    const primary = new MemoryPrimary();
    const chain = new AuditChain({ policyVersion: VERSION });
    const uart = new MemoryUart();
    const sink = new AuditSink({ chain, primary, uart, now: () => 0n, realNowMs: () => real.ms, uartBudget: 1 });
    primary.refuse = true;
    sink.record(DENY); // the one line of this window
    expect(sink.record(DENY).destination).toBe('lost');
    primary.refuse = false;
    sink.record(DENY);
    await sink.flush();
    primary.refuse = true;
    expect(sink.record(DENY).destination).toBe('lost');
    real.ms += 1000;
    primary.refuse = false;
    sink.record(DENY);
    await sink.flush(); // a confirmed delivery a real interval later refills
    primary.refuse = true;
    expect(sink.record(DENY).destination).toBe('uart');
  });

  test('test_reject_probe_deny_after_long_outage: with the UART budget spent, the first allow after the interval is the probe and is answered', async () => {
    const real = { ms: 0 };
    const primary = new FlakyPrimary();
    const chain = new AuditChain({ policyVersion: VERSION });
    const sink = new AuditSink({ chain, primary, uart: new MemoryUart(), now: () => 0n, realNowMs: () => real.ms, uartBudget: 2 });
    sink.record(DENY);
    await sink.flush(); // failed later: the primary is down
    for (let i = 0; i < 6; i++) sink.record(DENY); // the long outage spends the UART budget
    expect(sink.record(ALLOW).destination).toBe('lost');
    primary.healthy = true;
    real.ms += 1000;
    // The window refilled with the probe: the allow (after the loss declaration, itself the probe)
    // holds a line, so it is answered, not DENY.
    expect(sink.record(ALLOW).destination).not.toBe('lost');
    await sink.flush();
    expect(sink.stats().sink).toBe('primary');
    expect(sink.record(ALLOW).destination).toBe('primary');
  });

  test('a real clock that throws or goes backwards never ends an interval early', async () => {
    const primary = new FlakyPrimary();
    const { sink } = rig({ realNowMs: () => { throw new Error('no clock'); }, primary });
    sink.record(ALLOW);
    await sink.flush();
    primary.healthy = true;
    expect(sink.record(DENY).destination).toBe('uart');
  });
});

describe('AuditSink: evictions the primary reports', () => {
  class ReportingPrimary extends MemoryPrimary {
    reports: unknown[] = [];
    evictions(): readonly EvictionReport[] {
      const out = this.reports as EvictionReport[];
      this.reports = [];
      return out;
    }
  }

  test('reported runs wait for a batch, are declared by declarePending, merged when adjacent, and the held records verify', async () => {
    const primary = new ReportingPrimary();
    const { sink } = rig({ primary });
    for (let i = 0; i < 6; i++) sink.record(ALLOW);
    await sink.flush();
    primary.reports = [{ fromSeq: 1n, toSeq: 2n }, { fromSeq: 3n, toSeq: 3n }];
    sink.record(DENY);
    expect(sink.stats()).toMatchObject({ evicted: 0n, evictionsPending: 3n });
    sink.declarePending();
    await sink.flush();
    expect(sink.stats()).toMatchObject({ evicted: 3n, evictionsPending: 0n, evictionsRefused: 0n });
    const declared = primary.stored.filter((r) => r.kind === 'audit-evicted');
    expect(declared.map((r) => [r.lost!.fromSeq, r.lost!.toSeq, r.lost!.count])).toEqual([[1n, 3n, 3n]]);
    expect(verifyChain(primary.stored.filter((r) => r.seq > 3n), undefined, { fromStart: true })).toMatchObject({ ok: true });
  });

  test('a batch of evictionBatch records is declared before the next decision', async () => {
    const primary = new ReportingPrimary();
    const chain = new AuditChain({ policyVersion: VERSION });
    const sink = new AuditSink({ chain, primary, uart: new MemoryUart(), now: () => 0n, realNowMs: () => 0, evictionBatch: 2 });
    for (let i = 0; i < 4; i++) sink.record(ALLOW);
    await sink.flush();
    primary.reports = [{ fromSeq: 1n, toSeq: 2n }];
    sink.record(DENY);
    expect(sink.stats()).toMatchObject({ evicted: 2n, evictionsPending: 0n });
  });

  const hostile: [string, unknown][] = [
    ['test_reject_report_with_getters', Object.defineProperty({ toSeq: 2n }, 'fromSeq', { get: () => 1n, enumerable: true })],
    ['test_reject_report_not_an_object', 42],
    ['test_reject_report_number_seqs', { fromSeq: 1, toSeq: 2 }],
  ];
  for (const [name, report] of hostile) {
    test(name, async () => {
      const primary = new ReportingPrimary();
      const { sink } = rig({ primary });
      for (let i = 0; i < 3; i++) sink.record(ALLOW);
      await sink.flush();
      primary.reports = [report];
      sink.declarePending();
      await sink.flush();
      expect(sink.stats()).toMatchObject({ evicted: 0n, evictionsPending: 0n });
    });
  }

  test('test_reject_report_contradicting_the_sink: refused, counted, nothing chained', async () => {
    const primary = new ReportingPrimary();
    const { sink } = rig({ primary });
    for (let i = 0; i < 3; i++) sink.record(ALLOW);
    await sink.flush();
    const chained = sink.stats().chained;
    primary.reports = [{ fromSeq: 1n, toSeq: 2n, lastHash: new Uint8Array(32).fill(7) }];
    sink.declarePending();
    await sink.flush();
    expect(sink.stats()).toMatchObject({ evicted: 0n, evictionsRefused: 2n, chained });
  });
});
