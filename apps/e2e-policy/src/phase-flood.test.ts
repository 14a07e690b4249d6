import type { SendCap } from '@nexus/ipc';
import type { RouteOutcome } from '@nexus/proto';
import { describe, expect, test } from 'vitest';
import { AuditReader } from './audit-reader.js';
import { bootSystem } from './boot-system.js';
import { defaultPolicyDir } from './default-policy-dir.js';
import { FLOOD_ANSWER_BOUND_MS, floodVerdict, hostileRouteDenied, runFlood, type FloodReport } from './phase-flood.js';
import type { PhaseContext } from './phase-context.js';
import { SelftestClient } from './selftest-client.js';

const GOOD: FloodReport = {
  honest: 24, honestWrong: 0, slowestMs: 5, hostileSent: 2500, hostileRefused: 500, hostileRouted: 0, lostDecisions: 0n, rightsOverShare: [], recoveredMs: 2,
};

describe('flood marker (issue #13)', () => {
  test('a contained flood earns the marker', () => {
    expect(floodVerdict(GOOD)).toBeUndefined();
  });

  test.each<[string, Partial<FloodReport>, RegExp]>([
    ['test_reject_no_flood', { hostileRefused: 0 }, /never filled a queue/],
    ['test_reject_hostile_routed_without_grant', { hostileRouted: 3 }, /^the hostile task was routed 3 times without a grant$/],
    ['test_reject_wrong_honest_answer', { honestWrong: 1 }, /1 of 24 honest answers were wrong/],
    ['test_reject_slow_honest_answer', { slowestMs: FLOOD_ANSWER_BOUND_MS + 1 }, /took .* ms under flood/],
    ['test_reject_lost_decision', { lostDecisions: 1n }, /1 decision records were lost/],
    ['test_reject_rights_over_share', { rightsOverShare: ['init-lite'] }, /past the sender's share: init-lite/],
    ['test_reject_no_recovery', { recoveredMs: undefined }, /no recovery within/],
  ])('%s: the marker is not earned', (_name, change, cause) => {
    expect(floodVerdict({ ...GOOD, ...change })).toMatch(cause);
  });

  test.each<[string, RouteOutcome, boolean]>([
    ['a deny answer is the recovered one', { status: 'deny' }, true],
    ['test_reject_route_granted', { status: 'ok', cap: {} as SendCap }, false],
    ['test_reject_route_timeout', { status: 'timeout' }, false],
    ['test_reject_route_not_found', { status: 'not-found' }, false],
    ['test_reject_route_error', { status: 'error' }, false],
    ['test_reject_route_bad_reply', { status: 'bad-reply' }, false],
    ['test_reject_route_peer_closed', { status: 'peer-closed' }, false],
  ])('%s: the hostile ROUTE counts as answered after the flood only when it is a deny', (_name, out, recovered) => {
    expect(hostileRouteDenied(out)).toBe(recovered);
  });

  test('the real boot contains the flood: every honest answer right and in bound, nothing lost, recovery by itself', async () => {
    const system = await bootSystem({ policyDir: defaultPolicyDir(), console: () => {} });
    const ctx: PhaseContext = { system, client: new SelftestClient(system.client, system.clientRouter), reader: new AuditReader(), installed: undefined, verified: undefined };
    const report = await runFlood(ctx);
    expect(report.hostileRefused).toBeGreaterThan(0);
    expect(report.hostileRouted).toBe(0);
    expect(floodVerdict(report)).toBeUndefined();
  }, 60_000);
});
