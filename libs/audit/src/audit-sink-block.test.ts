import { describe, expect, test } from 'vitest';
import { AuditChain, type SealedRecord } from './audit-chain.js';
import type { AuditRecord } from './audit-record.js';
import { ALLOW, VERSION } from '../test-support/arbitraries.js';
import { AuditSink, type AuditSinkStats, type AuditTransport, type UartPort } from './audit-sink.js';
import { decodeRecord } from './decode-record.js';
import { parseRecordLine } from './parse-record-line.js';
import { verifyChain } from './verify-chain.js';

/** How the fake store answers the next block. */
type BlockAnswer = { readonly confirm: unknown } | 'refuse' | 'throw' | 'reject' | 'hold';

/** A primary that takes whole blocks (and says so with `ready`); single offers always succeed. */
class BlockPrimary implements AuditTransport {
  answer: BlockAnswer = { confirm: Infinity };
  readonly stored: AuditRecord[] = [];
  readonly blocks: number[] = [];
  readonly held: ((confirmed: number) => void)[] = [];

  ready(): boolean {
    return this.answer !== 'refuse';
  }

  offer(record: AuditRecord): Promise<boolean> {
    this.stored.push(record);
    return Promise.resolve(true);
  }

  offerBlock(block: readonly SealedRecord[]): Promise<number> | false {
    for (const s of block) expect(decodeRecord(s.encoded)).toEqual(s.record);
    this.blocks.push(block.length);
    const a = this.answer;
    if (a === 'refuse') return false;
    if (a === 'throw') throw new Error('store fault');
    if (a === 'reject') return Promise.reject(new Error('logd died mid-block'));
    const keep = (n: number): number => {
      this.stored.push(...block.slice(0, n).map((s) => s.record));
      return n;
    };
    if (a === 'hold') return new Promise((resolve) => this.held.push((n) => resolve(keep(n))));
    const n = a.confirm;
    // What the sink sees is `n` itself; what the store really kept is the clamped prefix.
    keep(typeof n === 'number' && Number.isInteger(n) ? Math.min(Math.max(n, 0), block.length) : typeof n === 'number' && n === Infinity ? block.length : 0);
    return Promise.resolve((n === Infinity ? block.length : n) as number);
  }
}

class FakeUart implements UartPort {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
}

function setup(uartBudget = 256): { chain: AuditChain; primary: BlockPrimary; uart: FakeUart; sink: AuditSink } {
  const chain = new AuditChain({ policyVersion: VERSION });
  const primary = new BlockPrimary();
  const uart = new FakeUart();
  const clock = { t: 0n };
  const sink = new AuditSink({ chain, primary, uart, now: () => ++clock.t, realNowMs: () => 0, uartBudget, maxInFlight: 256 });
  return { chain, primary, uart, sink };
}

function expectInvariants(s: AuditSinkStats, chain: AuditChain): void {
  expect(s.recorded + s.lost + BigInt(s.inFlight)).toBe(s.chained);
  expect(s.chained).toBe(chain.lastSeq);
  expect(s.recordedDecisions + s.lostDecisions + BigInt(s.inFlightDecisions)).toBe(s.decisions);
}

function merged(primary: BlockPrimary, uart: FakeUart): AuditRecord[] {
  return [...primary.stored, ...uart.lines.map(parseRecordLine)].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
}

const decisions = (sink: AuditSink, n: number): string[] =>
  Array.from({ length: n }, (_, i) => sink.record({ ...ALLOW, subjectId: BigInt(1 + (i % 8)), decision: i % 2 === 0 ? 'allow' : 'deny', reason: i % 2 === 0 ? 'policy-allow' : 'no-rule' }).destination);

describe('AuditSink with a block transport', () => {
  test('a turn of decisions goes out as blocks of at most 64, each confirmed whole', async () => {
    const { chain, primary, uart, sink } = setup();
    expect(new Set(decisions(sink, 100))).toEqual(new Set(['primary']));
    await sink.flush();
    expect(primary.blocks).toEqual([64, 36]);
    expect(uart.lines).toEqual([]);
    expect(sink.stats()).toMatchObject({ recorded: 100n, lost: 0n, inFlight: 0, sink: 'primary' });
    expect(verifyChain(primary.stored, chain.checkpoint())).toMatchObject({ ok: true, count: 100 });
  });

  const failures: ReadonlyArray<[string, BlockAnswer, number]> = [
    ['test_reject_block_refused: a synchronous refusal', 'refuse', 0],
    ['test_reject_block_offer_throws: a throwing store', 'throw', 0],
    ['test_reject_logd_dying_mid_block: a rejected delivery', 'reject', 0],
    ['test_reject_block_half_confirmed: 5 of 10 confirmed', { confirm: 5 }, 5],
    ['test_reject_block_confirm_more_than_sent: 1e9 is the whole block', { confirm: 1e9 }, 10],
    ['test_reject_block_confirm_negative: -3 is none', { confirm: -3 }, 0],
    ['test_reject_block_confirm_fraction: 2.5 is none', { confirm: 2.5 }, 0],
    ['test_reject_block_confirm_not_a_number: "7" is none', { confirm: '7' }, 0],
  ];
  test.each(failures)('%s: the confirmed prefix is recorded, every other record takes the UART, in seq order, nothing lost', async (_name, answer, confirmed) => {
    const { chain, primary, uart, sink } = setup();
    primary.answer = answer === 'refuse' ? 'refuse' : answer;
    // With the primary refusing at `ready`, records take the synchronous path (no block is sealed).
    const destinations = decisions(sink, 10);
    await sink.flush();
    const onUart = uart.lines.map(parseRecordLine);
    expect(onUart.map((r) => r.seq)).toEqual([...onUart.map((r) => r.seq)].sort((a, b) => (a < b ? -1 : 1)));
    const failedDecisions = onUart.filter((r) => r.kind === 'decision').length;
    if (answer !== 'refuse') {
      expect(destinations.every((d) => d === 'primary')).toBe(true);
      expect(primary.stored.map((r) => r.seq)).toEqual(Array.from({ length: confirmed }, (_, i) => BigInt(i + 1)));
      expect(failedDecisions).toBe(10 - confirmed);
      // The switch to the UART is chained after the failed block, never between its records.
      if (confirmed < 10) expect(onUart.at(-1)).toMatchObject({ kind: 'sink-switch', seq: 11n });
    }
    expect(sink.stats()).toMatchObject({ lost: 0n, inFlight: 0, recordedDecisions: 10n });
    expectInvariants(sink.stats(), chain);
    expect(verifyChain(merged(primary, uart), chain.checkpoint())).toMatchObject({ ok: true });
  });

  test('an allow in flight in a held block keeps its UART line until the block settles', async () => {
    const { chain, primary, uart, sink } = setup(4);
    primary.answer = 'hold';
    expect(sink.record(ALLOW).destination).toBe('primary');
    expect(sink.record({ ...ALLOW, subjectId: 2n }).destination).toBe('primary');
    await Promise.resolve();
    expect(primary.held).toHaveLength(1);
    expect(sink.stats()).toMatchObject({ inFlight: 2, inFlightDecisions: 2 });
    primary.held.shift()?.(1);
    await sink.flush();
    expect(primary.stored.map((r) => r.seq)).toEqual([1n]);
    expect(uart.lines.map((l) => parseRecordLine(l).seq)).toEqual([2n, 3n]);
    expect(sink.stats()).toMatchObject({ recordedDecisions: 2n, lostDecisions: 0n, sink: 'uart' });
    expectInvariants(sink.stats(), chain);
  });

  test('while a block is out the next one grows: records of later turns go out together once it settles', async () => {
    const { chain, primary, sink } = setup();
    primary.answer = 'hold';
    sink.record(ALLOW);
    await Promise.resolve();
    expect(primary.blocks).toEqual([1]);
    for (let turn = 0; turn < 5; turn++) {
      sink.record({ ...ALLOW, subjectId: BigInt(2 + turn) });
      await Promise.resolve();
    }
    expect(primary.blocks).toEqual([1]);
    primary.held.shift()?.(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(primary.blocks).toEqual([1, 5]);
    primary.held.shift()?.(5);
    await sink.flush();
    expect(primary.stored.map((r) => r.seq)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expectInvariants(sink.stats(), chain);
  });
});
