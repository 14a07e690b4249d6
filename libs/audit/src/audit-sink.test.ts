import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import type { AuditRecord } from './audit-record.js';
import { ALLOW, VERSION } from '../test-support/arbitraries.js';
import { AuditSink, type AuditSinkStats, type AuditTransport, type UartPort } from './audit-sink.js';
import { decodeRecord } from './decode-record.js';
import { parseRecordLine } from './parse-record-line.js';
import { verifyChain } from './verify-chain.js';

/** A primary store whose availability the test sets per offer. */
class FakePrimary implements AuditTransport {
  mode: 'accept' | 'refuse' | 'hold' = 'accept';
  readonly stored: AuditRecord[] = [];
  readonly held: { record: AuditRecord; settle: (ok: boolean) => void }[] = [];

  offer(record: AuditRecord, encoded: Uint8Array): Promise<boolean> | false {
    expect(decodeRecord(encoded)).toEqual(record);
    if (this.mode === 'refuse') return false;
    if (this.mode === 'accept') {
      this.stored.push(record);
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.held.push({
        record,
        settle: (ok) => {
          if (ok) this.stored.push(record);
          resolve(ok);
        },
      });
    });
  }

  settleOldest(ok: boolean): void {
    this.held.shift()?.settle(ok);
  }
}

/**
 * A primary that says synchronously whether it would accept (`ready`), so the sink queues records
 * and hands them over in blocks; `raceRefuse` makes it refuse at hand-off although it said ready.
 */
class ReadyPrimary extends FakePrimary {
  raceRefuse = false;

  ready(): boolean {
    return this.mode !== 'refuse';
  }

  override offer(record: AuditRecord, encoded: Uint8Array): Promise<boolean> | false {
    return this.raceRefuse ? false : super.offer(record, encoded);
  }
}

class FakeUart implements UartPort {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
}

function setup(options: { uartBudget?: number; maxInFlight?: number; ready?: boolean; retryAfterNs?: bigint } = {}): {
  chain: AuditChain; primary: ReadyPrimary; uart: FakeUart; sink: AuditSink; clock: { t: bigint };
} {
  const chain = new AuditChain({ policyVersion: VERSION });
  const primary = options.ready === true ? new ReadyPrimary() : (new FakePrimary() as ReadyPrimary);
  const uart = new FakeUart();
  const clock = { t: 0n };
  const sink = new AuditSink({
    // Real time stands still here: these tests drive recovery by the virtual clock alone.
    chain, primary, uart, now: () => ++clock.t, realNowMs: () => 0,
    uartBudget: options.uartBudget, maxInFlight: options.maxInFlight, retryAfterNs: options.retryAfterNs,
  });
  return { chain, primary, uart, sink, clock };
}

/** Everything that was recorded anywhere, in seq order: what a verifier merges. */
function journal(primary: FakePrimary, uart: FakeUart): AuditRecord[] {
  return [...primary.stored, ...uart.lines.map(parseRecordLine)].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
}

function expectInvariants(s: AuditSinkStats, chain: AuditChain): void {
  expect(s.recorded + s.lost + BigInt(s.inFlight)).toBe(s.chained);
  expect(s.chained).toBe(chain.lastSeq);
  expect(s.recordedDecisions + s.lostDecisions + BigInt(s.inFlightDecisions)).toBe(s.decisions);
}

const deny = { ...ALLOW, decision: 'deny', reason: 'no-rule' } as const;

describe(AuditSink, () => {
  test('primary ok: every record goes to the primary, nothing else is chained', async () => {
    const { chain, primary, uart, sink } = setup();
    expect(sink.record(ALLOW)).toEqual({ seq: 1n, destination: 'primary' });
    expect(sink.record(deny)).toEqual({ seq: 2n, destination: 'primary' });
    await sink.flush();
    expect(uart.lines).toEqual([]);
    expect(sink.stats()).toMatchObject({ decisions: 2n, chained: 2n, recorded: 2n, toPrimary: 2n, lost: 0n, inFlight: 0, sink: 'primary' });
    expect(verifyChain(primary.stored, chain.checkpoint())).toMatchObject({ ok: true, count: 2 });
  });

  test('primary down: full text records on the UART verify with the primary records as one chain', async () => {
    const { chain, primary, uart, sink } = setup();
    sink.record(ALLOW);
    primary.mode = 'refuse';
    expect(sink.record(deny)).toEqual({ seq: 2n, destination: 'uart' });
    expect(sink.record(ALLOW).destination).toBe('uart');
    primary.mode = 'accept';
    expect(sink.record(deny)).toEqual({ seq: 5n, destination: 'primary' });
    await sink.flush();
    const uartRecords = uart.lines.map(parseRecordLine);
    expect(uartRecords.map((r) => [r.seq, r.kind])).toEqual([[2n, 'decision'], [3n, 'sink-switch'], [4n, 'decision']]);
    expect(uartRecords[1]?.sink).toBe('uart');
    expect(primary.stored.map((r) => [r.seq, r.kind, r.sink])).toEqual([[1n, 'decision', undefined], [5n, 'decision', undefined], [6n, 'sink-switch', 'primary']]);
    expect(verifyChain(journal(primary, uart), chain.checkpoint())).toMatchObject({ ok: true, count: 6, lastSeq: 6n });
    expectInvariants(sink.stats(), chain);
  });

  test('UART budget used up: records are lost, counted, and declared by audit-lost before anything else', async () => {
    const { chain, primary, uart, sink } = setup({ uartBudget: 2 });
    primary.mode = 'refuse';
    expect(sink.record(ALLOW).destination).toBe('uart'); // seq 1, then the switch at seq 2
    expect(sink.record(deny)).toEqual({ seq: 3n, destination: 'lost' });
    // The audit-lost record (seq 4) is tried first, finds no sink, and is lost too.
    expect(sink.record(ALLOW)).toEqual({ seq: 5n, destination: 'lost' });
    expect(sink.stats()).toMatchObject({ decisions: 3n, lost: 3n, lostDecisions: 2n, recordedDecisions: 1n, undeclared: 3n });
    primary.mode = 'accept';
    expect(sink.record(deny)).toEqual({ seq: 8n, destination: 'primary' });
    await sink.flush();
    const [lost, sw, decision] = primary.stored;
    expect(lost).toMatchObject({ seq: 6n, kind: 'audit-lost', lost: { fromSeq: 3n, toSeq: 5n, count: 3n, decisions: 2n } });
    expect(lost?.lost?.lastHash).toEqual(journalHashOf(5n));
    expect(sw).toMatchObject({ seq: 7n, kind: 'sink-switch', sink: 'primary' });
    expect(decision?.seq).toBe(8n);
    const checkpoint = chain.checkpoint();
    expect(checkpoint.dropped).toBe(3n);
    expect(sink.stats().undeclared).toBe(0n);
    expect(verifyChain(journal(primary, uart), checkpoint)).toMatchObject({ ok: true, count: 5, lastSeq: 8n });
    expectInvariants(sink.stats(), chain);

    function journalHashOf(seq: bigint): Uint8Array | undefined {
      // The lost record's hash is the prevHash of the audit-lost record that follows it.
      return primary.stored.find((r) => r.seq === seq + 1n)?.prevHash;
    }
  });

  test('a late failure re-routes the record to the UART, marks the primary down and chains a sink-switch', async () => {
    const { chain, primary, uart, sink } = setup();
    primary.mode = 'hold';
    expect(sink.record(ALLOW).destination).toBe('primary');
    expect(sink.stats()).toMatchObject({ inFlight: 1, inFlightDecisions: 1, recorded: 0n });
    primary.settleOldest(false);
    await sink.flush();
    expect(uart.lines.map((l) => [parseRecordLine(l).seq, parseRecordLine(l).kind, parseRecordLine(l).sink])).toEqual([
      [1n, 'decision', undefined], [2n, 'sink-switch', 'uart'],
    ]);
    expect(sink.stats()).toMatchObject({ inFlight: 0, toUart: 2n, recordedDecisions: 1n, lost: 0n, sink: 'uart' });
    // Down: the primary, although it would accept now, is not offered the next record.
    primary.mode = 'accept';
    expect(sink.record(deny)).toEqual({ seq: 3n, destination: 'uart' });
    expect(primary.stored).toEqual([]);
    expect(verifyChain(journal(primary, uart), chain.checkpoint())).toMatchObject({ ok: true, count: 3 });
  });

  test('a down primary is probed by one record after the quiet interval and comes back when it is confirmed', async () => {
    const { chain, primary, uart, sink, clock } = setup({ retryAfterNs: 100n });
    primary.mode = 'hold';
    sink.record(ALLOW);
    primary.settleOldest(false); // down at t≈2, retry from t≈102
    await sink.flush();
    expect(sink.record(ALLOW).destination).toBe('uart');
    clock.t += 100n;
    expect(sink.record(ALLOW)).toEqual({ seq: 4n, destination: 'primary' }); // the probe
    expect(sink.record(ALLOW).destination).toBe('uart'); // one probe at a time
    expect(sink.stats().sink).toBe('uart');
    primary.mode = 'accept';
    primary.settleOldest(true);
    await sink.flush();
    expect(sink.stats().sink).toBe('primary');
    expect(sink.record(ALLOW).destination).toBe('primary');
    await sink.flush();
    expect(primary.stored.map((r) => [r.seq, r.kind])).toEqual([[4n, 'decision'], [6n, 'sink-switch'], [7n, 'decision']]);
    expect(verifyChain(journal(primary, uart), chain.checkpoint())).toMatchObject({ ok: true, count: 7 });
    expectInvariants(sink.stats(), chain);
  });

  test('a failed probe keeps the primary down for another quiet interval', async () => {
    const { primary, sink, clock } = setup({ retryAfterNs: 100n });
    primary.mode = 'hold';
    sink.record(ALLOW);
    primary.settleOldest(false);
    await sink.flush();
    clock.t += 100n;
    expect(sink.record(ALLOW).destination).toBe('primary');
    primary.settleOldest(false);
    await sink.flush();
    primary.mode = 'accept';
    expect(sink.record(ALLOW).destination).toBe('uart');
    clock.t += 100n;
    expect(sink.record(ALLOW).destination).toBe('primary');
  });

  test('retryPrimary brings a down primary back at once and refills the UART budget', async () => {
    const { primary, uart, sink } = setup({ uartBudget: 2 });
    primary.mode = 'hold';
    sink.record(ALLOW);
    primary.settleOldest(false);
    await sink.flush();
    expect(sink.record(ALLOW).destination).toBe('lost'); // the failed record and the switch used the budget
    sink.retryPrimary();
    primary.mode = 'accept';
    expect(sink.record(ALLOW).destination).toBe('primary');
    await sink.flush();
    expect(sink.stats()).toMatchObject({ sink: 'primary', undeclared: 0n });
    expect(uart.lines).toHaveLength(2);
  });

  test('test_reject_allow_without_uart_reserve: an allow goes to the primary only while a UART slot can be held for it', async () => {
    const { chain, primary, uart, sink } = setup({ uartBudget: 2 });
    primary.mode = 'hold';
    expect(sink.record(ALLOW).destination).toBe('primary');
    expect(sink.record({ ...ALLOW, subjectId: 2n }).destination).toBe('primary');
    // Both slots are held: the third allow has no guaranteed place, anywhere.
    expect(sink.record({ ...ALLOW, subjectId: 3n })).toEqual({ seq: 3n, destination: 'lost' });
    // A deny needs no reserve (its answer does not depend on the record).
    expect(sink.record(deny).destination).toBe('primary');
    while (primary.held.length > 0) primary.settleOldest(false);
    await sink.flush();
    // Both allows took their reserved slots; the deny and the switch found none and are counted.
    expect(uart.lines.map((l) => parseRecordLine(l).seq)).toEqual([1n, 2n]);
    expect(sink.stats()).toMatchObject({ recordedDecisions: 2n, lostDecisions: 2n });
    expectInvariants(sink.stats(), chain);
  });

  test('test_reject_one_subject_holds_every_uart_line: a subject holds at most half of them, the others keep theirs', async () => {
    const { chain, primary, sink } = setup({ uartBudget: 4 });
    primary.mode = 'hold';
    expect(sink.record(ALLOW).destination).toBe('primary');
    expect(sink.record(ALLOW).destination).toBe('primary');
    expect(sink.allowShareFull(ALLOW.subjectId)).toBe(true);
    expect(sink.allowShareFull(2n)).toBe(false);
    // Another subject's allows still find held room, half of what the first one left.
    expect(sink.record({ ...ALLOW, subjectId: 2n }).destination).toBe('primary');
    expect(sink.allowShareFull(2n)).toBe(true);
    expect(sink.allowShareFull(3n)).toBe(false);
    while (primary.held.length > 0) primary.settleOldest(true);
    await sink.flush();
    expect(sink.allowShareFull(ALLOW.subjectId)).toBe(false);
    expectInvariants(sink.stats(), chain);
  });

  test('test_reject_two_subjects_hold_every_uart_line: each subject gets half of what the others leave, a newcomer still finds a line', async () => {
    const { chain, primary, sink } = setup({ uartBudget: 8 });
    primary.mode = 'hold';
    const granted = new Map<bigint, number>();
    for (const subjectId of [1n, 2n, 3n]) {
      // As policyd asks: an allow beyond the subject's share is answered deny before it is recorded.
      let n = 0;
      for (; !sink.allowShareFull(subjectId); n++) expect(sink.record({ ...ALLOW, subjectId }).destination).toBe('primary');
      granted.set(subjectId, n);
    }
    expect([...granted]).toEqual([[1n, 4], [2n, 2], [3n, 1]]);
    expect(sink.allowShareFull(9n)).toBe(false);
    expect(sink.record({ ...ALLOW, subjectId: 9n }).destination).toBe('primary');
    while (primary.held.length > 0) primary.settleOldest(true);
    await sink.flush();
    // The flood is over: every share is back.
    primary.mode = 'accept';
    expect(sink.allowShareFull(1n)).toBe(false);
    expect(sink.record({ ...ALLOW, subjectId: 2n }).destination).toBe('primary');
    await sink.flush();
    expectInvariants(sink.stats(), chain);
  });

  test('test_reject_zero_uart_budget_allow: with no UART budget no allow can be answered, a deny still reaches the primary', async () => {
    const { chain, primary, sink } = setup({ uartBudget: 0 });
    expect(sink.record(ALLOW).destination).toBe('lost');
    expect(sink.record(deny).destination).toBe('primary');
    primary.mode = 'hold';
    sink.record(deny);
    primary.held[0]?.settle(false);
    await sink.flush();
    expect(sink.stats()).toMatchObject({ lostDecisions: 2n });
    expectInvariants(sink.stats(), chain);
  });

  test('test_reject_flapping_primary_uart_flood: the UART budget refills at most once per quiet interval', async () => {
    const { primary, uart, sink, clock } = setup({ uartBudget: 4, retryAfterNs: 1000n });
    // logd flaps: refused, then confirmed, fifty times within one quiet interval.
    for (let i = 0; i < 50; i++) {
      primary.mode = 'refuse';
      sink.record(deny);
      primary.mode = 'accept';
      sink.record(deny);
      await sink.flush();
    }
    expect(clock.t).toBeLessThan(1000n);
    expect(uart.lines).toHaveLength(4);
    // A quiet interval later, one confirmed delivery refills the budget for the next outage.
    clock.t += 1000n;
    sink.record(deny);
    await sink.flush();
    primary.mode = 'refuse';
    sink.record(deny);
    expect(uart.lines).toHaveLength(6);
  });

  test('test_reject_over_max_in_flight: the bound sends records to the UART', () => {
    const { primary, uart, sink } = setup({ maxInFlight: 2 });
    primary.mode = 'hold';
    sink.record(ALLOW);
    sink.record(ALLOW);
    expect(sink.record(ALLOW).destination).toBe('uart');
    expect(uart.lines.map((l) => parseRecordLine(l).kind)).toEqual(['decision', 'sink-switch']);
  });

  test('a throwing console or transport records nothing and counts the loss', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    const sink = new AuditSink({
      chain,
      primary: { offer: () => { throw new Error('down'); } },
      uart: { write: () => { throw new Error('no console'); } },
      now: () => 0n,
    });
    expect(sink.record(ALLOW).destination).toBe('lost');
    expect(sink.stats()).toMatchObject({ chained: 2n, lost: 2n, lostDecisions: 1n, recorded: 0n });
  });

  test('test_reject_bad_options', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    expect(() => new AuditSink({ chain, primary: new FakePrimary(), uart: new FakeUart(), now: () => 0n, uartBudget: -1 })).toThrow();
  });

  test.each([['offer only', false], ['ready + block hand-off', true]])('accounting is exact and the journal verifies under any availability sequence (property, %s)', async (_, ready) => {
    const step = fc.oneof(
      fc.record({ t: fc.constant('record' as const), mode: fc.constantFrom('accept' as const, 'refuse' as const, 'hold' as const), allow: fc.boolean() }),
      fc.record({ t: fc.constant('settle' as const), ok: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 40 }),
        fc.nat(4),
        fc.integer({ min: 3, max: 5 }),
        fc.array(fc.boolean(), { maxLength: 8 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.bigInt({ min: 0n, max: 6n }),
        async (steps, uartBudget, maxInFlight, lateOutcomes, races, retryAfterNs) => {
          const { chain, primary, uart, sink } = setup({ uartBudget, maxInFlight, ready, retryAfterNs });
          const answeredAllow: bigint[] = [];
          for (const [k, s] of steps.entries()) {
            if (s.t === 'record') {
              primary.mode = s.mode;
              const outcome = sink.record(s.allow ? ALLOW : deny);
              if (s.allow && outcome.destination !== 'lost') answeredAllow.push(outcome.seq);
              // A hand-off refused although the primary said ready: decided later, in the next turn.
              primary.raceRefuse = ready && races[k] === true;
            } else {
              primary.settleOldest(s.ok);
              await Promise.resolve();
            }
            expectInvariants(sink.stats(), chain);
          }
          let i = 0;
          await Promise.resolve();
          primary.raceRefuse = false;
          primary.mode = 'accept'; // a confirmed probe offers its sink-switch at once
          while (primary.held.length > 0) primary.settleOldest(lateOutcomes[i++ % Math.max(1, lateOutcomes.length)] ?? true);
          await sink.flush();
          // No decision answered allow is ever counted lost, whatever failed later.
          const kept = new Set(journal(primary, uart).map((r) => r.seq));
          expect(answeredAllow.filter((seq) => !kept.has(seq))).toEqual([]);
          primary.mode = 'accept';
          sink.retryPrimary();
          let finals = 0;
          do {
            // A deny: it needs no UART reserve, so it reaches the primary even with a budget of 0.
            sink.record(deny);
            finals++;
            await sink.flush();
          } while (sink.stats().undeclared > 0n && finals < 5);
          expect(sink.stats().undeclared).toBe(0n);
          const stats = sink.stats();
          expectInvariants(stats, chain);
          expect(stats.inFlight).toBe(0);
          const records = journal(primary, uart);
          expect(BigInt(records.length)).toBe(stats.recorded);
          expect(verifyChain(records, chain.checkpoint())).toMatchObject({ ok: true });
          // From the chain alone: decisions present + decisions declared lost == decisions made.
          const present = records.filter((r) => r.kind === 'decision').length;
          const declared = records.reduce((n, r) => n + (r.lost?.decisions ?? 0n), 0n);
          expect(BigInt(present) + declared).toBe(BigInt(steps.filter((s) => s.t === 'record').length + finals));
          expect(declared).toBe(stats.lostDecisions);
          expect(chain.checkpoint().dropped).toBe(stats.lost);
          expect(uart.lines.length).toBeLessThanOrEqual(Number(stats.toUart));
        },
      ),
      { numRuns: 300 },
    );
  });
  test('ready primary: the decision path only queues; records reach the primary at the end of the turn, in seq order', async () => {
    const { chain, primary, sink } = setup({ ready: true });
    expect([sink.record(ALLOW), sink.record(deny), sink.record(ALLOW)]).toEqual([
      { seq: 1n, destination: 'primary' }, { seq: 2n, destination: 'primary' }, { seq: 3n, destination: 'primary' },
    ]);
    expect(primary.stored).toEqual([]);
    expect(sink.stats()).toMatchObject({ chained: 3n, inFlight: 3, inFlightDecisions: 3 });
    expectInvariants(sink.stats(), chain);
    await Promise.resolve();
    expect(primary.stored.map((r) => r.seq)).toEqual([1n, 2n, 3n]);
    await sink.flush();
    expect(sink.stats()).toMatchObject({ recorded: 3n, toPrimary: 3n, inFlight: 0 });
    expect(verifyChain(primary.stored, chain.checkpoint())).toMatchObject({ ok: true, count: 3 });
  });

  test('ready primary: a long synchronous burst is handed over in bounded blocks', () => {
    const { primary, sink } = setup({ ready: true, maxInFlight: 1000, uartBudget: 1000 });
    for (let i = 0; i < 200; i++) sink.record(ALLOW);
    expect(primary.stored.length).toBeGreaterThanOrEqual(192);
    expect(primary.stored.map((r) => r.seq)).toEqual(primary.stored.map((_, i) => BigInt(i + 1)));
  });

  test('ready primary that refuses at hand-off: the records go to the UART in seq order, the outcome stands', async () => {
    const { chain, primary, uart, sink } = setup({ ready: true });
    primary.raceRefuse = true;
    expect(sink.record(ALLOW).destination).toBe('primary');
    expect(sink.record(deny).destination).toBe('primary');
    await sink.flush();
    expect(uart.lines.map((l) => parseRecordLine(l).seq)).toEqual([1n, 2n, 3n]);
    expect(sink.stats()).toMatchObject({ toUart: 3n, recordedDecisions: 2n, lost: 0n, inFlight: 0, sink: 'uart' });
    expect(verifyChain(journal(primary, uart), chain.checkpoint())).toMatchObject({ ok: true, count: 3 });
  });

  test('UART lines come in seq order when the primary goes down with records still queued', async () => {
    const { chain, primary, uart, sink } = setup({ ready: true });
    sink.record(ALLOW);
    primary.mode = 'refuse';
    expect(sink.record(deny)).toEqual({ seq: 3n, destination: 'uart' });
    sink.record(ALLOW);
    await sink.flush();
    // seq 1 was queued for the primary and refused at hand-off, before seq 3 was decided.
    expect(uart.lines.map((l) => [parseRecordLine(l).seq, parseRecordLine(l).kind])).toEqual([
      [1n, 'decision'], [2n, 'sink-switch'], [3n, 'decision'], [4n, 'decision'],
    ]);
    expect(verifyChain(journal(primary, uart), chain.checkpoint())).toMatchObject({ ok: true, count: 4 });
  });

  test('test_reject_ready_that_throws: a throwing ready() is "not ready"', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    const uart = new FakeUart();
    const primary = { ready: (): boolean => { throw new Error('boom'); }, offer: (): false => false };
    const sink = new AuditSink({ chain, primary, uart, now: () => 0n });
    expect(sink.record(ALLOW).destination).toBe('uart');
    expect(uart.lines).toHaveLength(2);
  });
});
