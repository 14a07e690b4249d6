import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import type { AuditRecord } from './audit-record.js';
import { ALLOW, VERSION } from '../test-support/arbitraries.js';
import { AuditSink, type AuditTransport, type UartPort, type UartReservation } from './audit-sink.js';
import { parseRecordLine } from './parse-record-line.js';
import { DENY } from '../test-support/seal-rig.js';
import { verifyChain } from './verify-chain.js';

/** A serial device of `capacity` lines that honours reservations: held room is never given away. */
class BoundedDevice implements UartPort {
  readonly lines: string[] = [];
  held = 0;
  refused = 0;
  constructor(public capacity: number) {}

  write(line: string): void {
    if (this.lines.length + this.held >= this.capacity) {
      this.refused++;
      throw new Error('device full');
    }
    this.lines.push(line);
  }

  reserve(): UartReservation | undefined {
    if (this.lines.length + this.held >= this.capacity) return undefined;
    this.held++;
    let open = true;
    return {
      write: (line) => {
        if (!open) throw new Error('reservation used');
        open = false;
        this.held--;
        this.lines.push(line);
      },
      release: () => {
        if (open) this.held--;
        open = false;
      },
    };
  }
}

/** A primary that holds every delivery until the test settles it. */
class HeldPrimary implements AuditTransport {
  refuse = false;
  readonly stored: AuditRecord[] = [];
  readonly held: { record: AuditRecord; settle: (ok: boolean) => void }[] = [];
  offer(record: AuditRecord): Promise<boolean> | false {
    if (this.refuse) return false;
    return new Promise((resolve) => this.held.push({ record, settle: (ok) => (ok && this.stored.push(record), resolve(ok)) }));
  }
}

function rig(capacity: number, uartBudget = 64): { sink: AuditSink; device: BoundedDevice; primary: HeldPrimary; chain: AuditChain } {
  const chain = new AuditChain({ policyVersion: VERSION });
  const device = new BoundedDevice(capacity);
  const primary = new HeldPrimary();
  let t = 0n;
  const sink = new AuditSink({ chain, primary, uart: device, uartBudget, now: () => ++t, realNowMs: () => 0 });
  return { sink, device, primary, chain };
}

describe('AuditSink UART reservations on the device', () => {
  test('test_reject_device_refusal_under_inflight_allow: the held room takes the ALLOW when its delivery fails', async () => {
    const { sink, device, primary } = rig(2);
    expect(sink.record(ALLOW)).toEqual({ seq: 1n, destination: 'primary' });
    expect(device.held).toBe(1);
    // The primary refuses from now on: denies fill the device's free room, the held line stays.
    primary.refuse = true;
    expect(sink.record(DENY).destination).toBe('uart');
    expect(sink.record(DENY).destination).toBe('lost');
    expect(device.refused).toBeGreaterThan(0); // free room ran out; the held line was never offered to them
    primary.held[0]!.settle(false);
    await sink.flush();
    const onDevice = device.lines.map(parseRecordLine);
    expect(onDevice.find((r) => r.seq === 1n)?.decision).toBe('allow');
    expect(sink.stats().lostDecisions).toBe(1n);
  });

  test('an ALLOW with no room to hold on the device is not sent to the primary: it is recorded now or denied', () => {
    const { sink, device } = rig(1);
    expect(sink.record(ALLOW).destination).toBe('primary'); // holds the only line
    expect(device.held).toBe(1);
    // No room left to hold: the next ALLOW takes the synchronous path, the device refuses it: DENY.
    expect(sink.record(ALLOW)).toMatchObject({ destination: 'lost' });
  });

  test('a confirmed delivery gives the held room back', async () => {
    const { sink, device, primary } = rig(1);
    sink.record(ALLOW);
    primary.held[0]!.settle(true);
    await sink.flush();
    expect(device.held).toBe(0);
    expect(sink.record(ALLOW).destination).toBe('primary');
  });

  test('no ALLOW answered is ever lost, whatever the device and the primary do (property)', async () => {
    const step = fc.oneof(
      fc.record({ t: fc.constant('record' as const), allow: fc.boolean(), refuse: fc.boolean() }),
      fc.record({ t: fc.constant('settle' as const), ok: fc.boolean() }),
      fc.record({ t: fc.constant('shrink' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), fc.nat(4), fc.nat(6), async (steps, capacity, uartBudget) => {
        const { sink, device, primary, chain } = rig(capacity, uartBudget);
        const answeredAllow: bigint[] = [];
        for (const s of steps) {
          if (s.t === 'record') {
            primary.refuse = s.refuse;
            const outcome = sink.record(s.allow ? ALLOW : DENY);
            if (s.allow && outcome.destination !== 'lost') answeredAllow.push(outcome.seq);
          } else if (s.t === 'settle') {
            primary.held.shift()?.settle(s.ok);
            await Promise.resolve();
          } else {
            // The device loses capacity (another writer): only free room can go.
            device.capacity = Math.max(device.lines.length + device.held, device.capacity - 1);
          }
        }
        while (primary.held.length > 0) primary.held.shift()!.settle(false);
        await sink.flush();
        const kept = new Set([...primary.stored, ...device.lines.map(parseRecordLine)].map((r) => r.seq));
        expect(answeredAllow.filter((seq) => !kept.has(seq))).toEqual([]);
        const s = sink.stats();
        expect(s.recorded + s.lost + BigInt(s.inFlight)).toBe(s.chained);
        expect(s.chained).toBe(chain.lastSeq);
        expect(device.held).toBe(0);
        const merged = [...primary.stored, ...device.lines.map(parseRecordLine)].sort((a, b) => (a.seq < b.seq ? -1 : 1));
        expect(verifyChain(merged).ok || s.undeclared > 0n).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
