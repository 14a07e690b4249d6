import { describe, expect, test } from 'vitest';
import { AuditReader } from './audit-reader.js';
import { bootSystem } from './boot-system.js';
import { defaultPolicyDir } from './default-policy-dir.js';
import { FLOOD_ANSWER_BOUND_MS, floodVerdict, runFlood, type FloodReport } from './phase-flood.js';
import type { PhaseContext } from './phase-context.js';
import { SelftestClient } from './selftest-client.js';

const GOOD: FloodReport = {
  honest: 24, honestWrong: 0, slowestMs: 5, hostileSent: 2500, hostileRefused: 500, lostDecisions: 0n, rightsOverShare: [], recoveredMs: 2,
};

describe('flood marker (issue #13)', () => {
  test('a contained flood earns the marker', () => {
    expect(floodVerdict(GOOD)).toBeUndefined();
  });

  test.each<[string, Partial<FloodReport>, RegExp]>([
    ['test_reject_no_flood', { hostileRefused: 0 }, /never filled a queue/],
    ['test_reject_wrong_honest_answer', { honestWrong: 1 }, /1 of 24 honest answers were wrong/],
    ['test_reject_slow_honest_answer', { slowestMs: FLOOD_ANSWER_BOUND_MS + 1 }, /took .* ms under flood/],
    ['test_reject_lost_decision', { lostDecisions: 1n }, /1 decision records were lost/],
    ['test_reject_rights_over_share', { rightsOverShare: ['init-lite'] }, /past the sender's share: init-lite/],
    ['test_reject_no_recovery', { recoveredMs: undefined }, /no recovery within/],
  ])('%s: the marker is not earned', (_name, change, cause) => {
    expect(floodVerdict({ ...GOOD, ...change })).toMatch(cause);
  });

  test('the real boot contains the flood: every honest answer right and in bound, nothing lost, recovery by itself', async () => {
    const system = await bootSystem({ policyDir: defaultPolicyDir(), console: () => {} });
    const ctx: PhaseContext = { system, client: new SelftestClient(system.client, system.clientRouter), reader: new AuditReader(), installed: undefined, verified: undefined };
    const report = await runFlood(ctx);
    expect(report.hostileRefused).toBeGreaterThan(0);
    expect(floodVerdict(report)).toBeUndefined();
  }, 60_000);
});
