import { encodeLogRequest, LO_LEVEL, LO_OP } from '@nexus/proto';
import { RouteClient } from '@nexus/proto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { bootSystem, LOG_TIMEOUT_MS, type BootedSystem } from './boot-system.js';
import { defaultPolicyDir } from './default-policy-dir.js';

/**
 * Issue #13: one task keeps logd's queue full with one-way general APPENDs. Once the flood stops,
 * the system must recover by itself within a bounded real time (logd retry and UART refill run on
 * real elapsed time too), with no harness action. Real time (timers, `performance.now`) is faked,
 * so nothing sleeps.
 */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function routeLogd(system: BootedSystem): Promise<string> {
  const out = await new RouteClient(system.client, system.clientRouter).route('logd');
  if (out.status === 'ok') system.client.release(out.cap);
  return out.status;
}

function generalAppend(i: number): Uint8Array {
  return encodeLogRequest({ version: 2, op: LO_OP.APPEND, nonce: BigInt(i + 1), level: LO_LEVEL.INFO, scope: 'hostile', msg: 'x'.repeat(200), fields: new Uint8Array(0) });
}

describe('logd flood (issue #13)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('test_reject_log_flood_blinds_audit: one task flooding general APPENDs gets QUEUE_FULL, every ROUTE stays answered', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const system = await bootSystem({ policyDir: defaultPolicyDir(), console: () => {} });
    const hostile = system.kernel.spawn('hostile');
    const route = system.kernel.grant(system.logd.endpoint, hostile);
    expect(await routeLogd(system)).toBe('ok');
    let sent = 0;
    let refused = 0;
    const during: string[] = [];
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 128; i++) {
        try {
          hostile.send(route, generalAppend(sent));
          sent++;
        } catch {
          refused++;
        }
      }
      during.push(await routeLogd(system));
    }
    // The flood stops; real time moves past the recovery bound (logRetryMs, 1 s by default).
    await vi.advanceTimersByTimeAsync(1_001);
    for (let i = 0; i < 20; i++) await turn();
    const after: string[] = [];
    for (let i = 0; i < 20; i++) after.push(await routeLogd(system));
    expect({ sent: sent > 0, refused: refused > 0 }).toEqual({ sent: true, refused: true });
    expect(after.filter((s) => s !== 'ok')).toEqual([]);
    // The kernel's fair queue keeps policyd's share of logd's queue: no route was DENY during the flood.
    expect(during.filter((s) => s !== 'ok')).toEqual([]);
  });

  test('test_reject_stuck_recovery: audit APPENDs lost to logd make ROUTEs DENY; they recover in bounded real time, no harness action', async () => {
    // Real time is faked (timers and performance.now): deadlines and recovery intervals pass without sleeping.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const system = await bootSystem({ policyDir: defaultPolicyDir(), console: () => {} });
    expect(await routeLogd(system)).toBe('ok');
    // What a flood that displaces policyd's APPENDs does: they never reach logd (and time out).
    system.kernel.faults.dropNext(system.logd.auditEndpoint, 64);
    const during: string[] = [];
    for (let i = 0; i < 24; i++) during.push(await routeLogd(system));
    expect(during).toContain('deny');
    // Every dropped APPEND times out (LOG_TIMEOUT_MS): the sink knows the primary failed. The
    // records that waited for the first block go out after it, into the same flood, and time out too.
    await vi.advanceTimersByTimeAsync(LOG_TIMEOUT_MS + 1);
    await vi.advanceTimersByTimeAsync(LOG_TIMEOUT_MS + 1);
    system.kernel.faults.dropNext(system.logd.auditEndpoint, 0);
    // The flood is over. Without real time passing, the virtual clock alone keeps the gate shut.
    const still: string[] = [];
    for (let i = 0; i < 5; i++) still.push(await routeLogd(system));
    expect(still).toContain('deny');
    // One retry interval (logRetryMs, 1 s) of real time later: the next decision is the probe; the
    // console window refilled with it, so the probe (an allow) holds a line and is answered like
    // every route after it (it was DENY once, the console budget spent by the outage).
    await vi.advanceTimersByTimeAsync(1_001);
    const after: string[] = [];
    for (let i = 0; i < 20; i++) after.push(await routeLogd(system));
    expect(after.filter((s) => s !== 'ok')).toEqual([]);
    // Every loss is declared in the chain (nothing undeclared), and the sink is back on logd.
    const stats = system.policyd.auditStats();
    expect({ undeclared: stats.undeclared, inFlight: stats.inFlight, sink: stats.sink }).toEqual({ undeclared: 0n, inFlight: 0, sink: 'primary' });
  });
});
