import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import { AuditError } from './audit-error.js';
import { ALLOW, VERSION } from '../test-support/arbitraries.js';
import { AuditSink } from './audit-sink.js';
import { CheckpointSealer, type CheckpointSigner } from './checkpoint-sealer.js';
import { decodeCheckpointMessage } from './checkpoint-message.js';
import { DENY, KEY, MemoryPrimary, MemoryUart, tick } from '../test-support/seal-rig.js';

function rig(options: { signer?: CheckpointSigner; everyRecords?: number; everyNs?: bigint; signTimeoutMs?: number; schedule?: (fn: () => void, ms: number) => () => void } = {}): {
  sink: AuditSink; sealer: CheckpointSealer; primary: MemoryPrimary; clock: { t: bigint }; signed: Uint8Array[];
} {
  const chain = new AuditChain({ policyVersion: VERSION });
  const primary = new MemoryPrimary();
  const clock = { t: 0n };
  const now = (): bigint => clock.t;
  const sink = new AuditSink({ chain, primary, uart: new MemoryUart(), now, realNowMs: () => 0 });
  const signed: Uint8Array[] = [];
  const signer = options.signer ?? ((m: Uint8Array) => (signed.push(m), KEY.signer(m)));
  const sealer = new CheckpointSealer({
    sink, signer, keyId: KEY.keyId, now, realNowMs: () => 0, everyRecords: options.everyRecords ?? 1000,
    everyNs: options.everyNs ?? 10n ** 12n, schedule: options.schedule ?? false,
    ...(options.signTimeoutMs === undefined ? {} : { signTimeoutMs: options.signTimeoutMs }),
  });
  return { sink, sealer, primary, clock, signed };
}

const checkpoints = (p: MemoryPrimary): typeof p.stored => p.stored.filter((r) => r.kind === 'checkpoint');

describe(CheckpointSealer, () => {
  test('seals every N records, each checkpoint linked to the one before', async () => {
    const { sink, primary, signed } = rig({ everyRecords: 3 });
    for (let i = 0; i < 9; i++) {
      sink.record(ALLOW);
      await tick();
    }
    await sink.flush();
    const cps = checkpoints(primary);
    expect(cps.map((c) => c.checkpoint!.headSeq)).toEqual([3n, 7n, 11n]);
    expect(cps[1]!.checkpoint!.prevSealedSeq).toBe(cps[0]!.seq);
    expect(cps[1]!.checkpoint!.prevSealedHash).toEqual(cps[0]!.hash);
    expect(decodeCheckpointMessage(signed[0]!)).toMatchObject({ headSeq: 3n, policyVersion: VERSION, dropped: 0n });
  });

  test('seals when the interval passed on the kernel clock', async () => {
    const { sink, primary, clock } = rig({ everyNs: 100n });
    sink.record(ALLOW);
    await tick();
    expect(checkpoints(primary)).toHaveLength(0);
    clock.t += 100n;
    sink.record(ALLOW);
    await tick();
    await sink.flush();
    expect(checkpoints(primary)).toHaveLength(1);
  });

  test('an idle tail is sealed by the timer, without another record', async () => {
    const timers: (() => void)[] = [];
    const { sink, primary } = rig({ schedule: (fn) => (timers.push(fn), () => undefined) });
    sink.record(ALLOW);
    expect(timers).toHaveLength(1);
    timers[0]!();
    await tick();
    await sink.flush();
    expect(checkpoints(primary).map((c) => c.checkpoint!.headSeq)).toEqual([1n]);
  });

  test('seals at a sink switch and at a loss declaration', async () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    const primary = new MemoryPrimary();
    const sink = new AuditSink({ chain, primary, uart: new MemoryUart(), now: () => 0n, realNowMs: () => 0, uartBudget: 1 });
    const sealer = new CheckpointSealer({ sink, signer: KEY.signer, keyId: KEY.keyId, now: () => 0n, realNowMs: () => 0, everyRecords: 1000, schedule: false });
    sink.record(DENY);
    primary.refuse = true;
    sink.record(DENY); // to the UART, then the switch: a seal is asked for
    await tick();
    primary.refuse = false;
    sink.record(DENY);
    await tick();
    await sink.flush();
    // One seal for the switch (its record found no place: counted lost), one for the audit-lost.
    expect(sealer.stats().sealed).toBe(2);
    expect(checkpoints(primary)).toHaveLength(1);
    expect(primary.stored.map((r) => r.kind)).toContain('audit-lost');
  });

  test('sealing never changes a decision: the outcomes are the same with and without it', async () => {
    const outcomes = async (sealed: boolean): Promise<string[]> => {
      const chain = new AuditChain({ policyVersion: VERSION });
      const primary = new MemoryPrimary();
      const sink = new AuditSink({ chain, primary, uart: new MemoryUart(), now: () => 0n, realNowMs: () => 0, uartBudget: 2 });
      if (sealed) new CheckpointSealer({ sink, signer: () => Promise.reject(new Error('down')), keyId: KEY.keyId, now: () => 0n, everyRecords: 1, schedule: false });
      const out: string[] = [];
      for (let i = 0; i < 12; i++) {
        primary.refuse = i % 3 === 0;
        out.push(sink.record(i % 2 === 0 ? ALLOW : DENY).destination);
      }
      return out;
    };
    expect(await outcomes(true)).toEqual(await outcomes(false));
  });

  test('a signer that fails, times out or returns garbage gives an unsealed checkpoint; the next seal covers it', async () => {
    const bad: CheckpointSigner[] = [
      () => Promise.reject(new Error('keystored down')),
      () => new Promise(() => undefined),
      () => Promise.resolve(new Uint8Array(63)),
      () => { throw new Error('sync throw'); },
      () => Promise.resolve('sig' as unknown as Uint8Array),
    ];
    for (const signer of bad) {
      let first = true;
      const { sink, sealer, primary } = rig({ signTimeoutMs: 5, signer: (m) => (first ? ((first = false), signer(m)) : KEY.signer(m)) });
      sink.record(ALLOW);
      await sealer.flush();
      const cps = checkpoints(primary);
      expect(cps[0]!.checkpoint!.signature).toBeUndefined();
      expect(cps.at(-1)!.checkpoint!.signature).toHaveLength(64);
      expect(cps.at(-1)!.checkpoint!.headSeq).toBe(cps.at(-1)!.seq - 1n);
      expect(sealer.stats()).toMatchObject({ sealed: 1, unsealed: 1 });
    }
  });

  test('seals never overlap: requests during a seal make one more seal after it', async () => {
    let active = 0;
    let most = 0;
    const { sink, sealer } = rig({
      everyRecords: 1,
      signer: async (m) => {
        most = Math.max(most, ++active);
        await tick();
        active--;
        return KEY.signer(m);
      },
    });
    for (let i = 0; i < 20; i++) sink.record(ALLOW);
    await sealer.close();
    expect(most).toBe(1);
  });

  test('close ends the journal on a sealed checkpoint and stops observing', async () => {
    const { sink, sealer, primary } = rig();
    for (let i = 0; i < 5; i++) sink.record(DENY);
    await sealer.close();
    const last = primary.stored.at(-1)!;
    expect(last).toMatchObject({ kind: 'checkpoint', checkpoint: { headSeq: last.seq - 1n } });
    sink.record(DENY);
    await tick();
    expect(checkpoints(primary)).toHaveLength(1);
  });

  test('test_reject_flush_ending_on_a_seal_that_does_not_cover_itself: records chained while a seal was signed get one more seal', async () => {
    // The signer lets decisions in while it signs: the sealed checkpoint then follows records it does not cover.
    let sink!: AuditSink;
    let inFlight = 0;
    const signer: CheckpointSigner = async (m) => {
      if (inFlight++ < 1) sink.record(DENY);
      return KEY.signer(m);
    };
    const r = rig({ signer });
    sink = r.sink;
    for (let i = 0; i < 3; i++) r.sink.record(ALLOW);
    await r.sealer.flush();
    const last = r.primary.stored.at(-1)!;
    // The journal ends on a seal that covers the record before it, so no record is left unsealed.
    expect(last).toMatchObject({ kind: 'checkpoint', checkpoint: { headSeq: last.seq - 1n } });
    expect(last.checkpoint?.signature).toBeDefined();
    expect(checkpoints(r.primary).length).toBeGreaterThanOrEqual(2);
  });

  test('test_reject_bad_sealer_options', () => {
    const { sink } = rig();
    const base = { sink, signer: KEY.signer, keyId: KEY.keyId, now: () => 0n };
    expect(() => new CheckpointSealer({ ...base, keyId: new Uint8Array(31) })).toThrow(AuditError);
    expect(() => new CheckpointSealer({ ...base, bootId: new Uint8Array(15) })).toThrow(AuditError);
    expect(() => new CheckpointSealer({ ...base, everyRecords: 0 })).toThrow(AuditError);
    expect(() => new CheckpointSealer({ ...base, everyNs: 0n })).toThrow(AuditError);
  });
});
