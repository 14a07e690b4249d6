import fc from 'fast-check';
import { serviceIdFromName, type Policy } from '@nexus/sel';
import { beforeAll, describe, expect, test } from 'vitest';
import { nodeIo } from './node-io.js';
import { REPO_ROOT, runCli, runJson } from '../test-support/run-cli.js';
import { explainCommand } from './explain-command.js';
import { loadPolicy } from './load-policy.js';

let policy: Policy;
beforeAll(async () => {
  policy = await loadPolicy('recipes/policy', { ...nodeIo(), cwd: REPO_ROOT });
});

const explain = (subject: string, action: string, target?: string): Promise<{ code: number; json: any }> =>
  runJson(['explain', '--subject', subject, '--action', action, ...(target === undefined ? [] : ['--target', target])], REPO_ROOT);

describe(explainCommand, () => {
  const table: readonly [subject: string, action: string, target: string | undefined][] = [
    ['keystored', 'crypto.sign', undefined],
    ['selftest-client', 'crypto.sign', undefined],
    ['bundlemgrd', 'ipc.route', 'execd'],
    ['selftest-client', 'ipc.route', 'execd'],
    ['init-lite', 'ipc.route', 'execd'],
    ['init-lite', 'ipc.route', 'logd'],
    ['keystored', 'debug.dump', undefined],
    ['demo.testsvc', 'fs.read', undefined],
    ['keystored', 'CRYPTO.SIGN', undefined],
    ['keystored', 'crypto..sign', undefined],
    ['nobody', 'ipc.core', undefined],
  ];
  for (const [subject, action, target] of table) {
    test(`${subject} ${action}${target === undefined ? '' : `@${target}`} agrees with decide`, async () => {
      const decision = policy.decide({ subject: serviceIdFromName(subject), action, target });
      const { code, json } = await explain(subject, action, target);
      expect(code).toBe(decision.allow ? 0 : 1);
      expect(json.decision).toBe(decision.allow ? 'allow' : 'deny');
      expect(json.reason).toBe(decision.reason);
      expect(json.rule?.line ?? null).toBe(decision.rule?.line ?? null);
      expect(json.subject.id).toBe(`0x${serviceIdFromName(subject).toString(16).padStart(16, '0')}`);
    });
  }

  test('random queries agree with decide', async () => {
    const names = [...policy.services, 'nobody', 'x'];
    const actions = [...new Set(policy.rules.map((r) => r.capability.replace('.*', '.any')))];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.oneof(fc.constantFrom(...actions), fc.stringMatching(/^[a-z.]{1,12}$/)),
        fc.option(fc.constantFrom('execd', 'logd', '7', 'Execd'), { nil: undefined }),
        async (subject, action, target) => {
          const decision = policy.decide({ subject: serviceIdFromName(subject), action, target });
          const { code, json } = await explain(subject, action, target);
          expect([code, json.reason, json.rule?.column ?? null]).toEqual([
            decision.allow ? 0 : 1,
            decision.reason,
            decision.rule?.column ?? null,
          ]);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('a default deny lists the services holding the capability and the closest own grants', async () => {
    const { json } = await explain('selftest-client', 'crypto.sign');
    expect(json.nearMisses.holders.map((h: { service: string }) => h.service)).toEqual(['keystored']);
    expect(json.nearMisses.grants.length).toBeGreaterThan(0);
  });

  test('closest grants come first: same leading segment before others', async () => {
    const { json } = await explain('selftest-client', 'ipc.spawn');
    expect(json.nearMisses.grants[0].pattern).toMatch(/^ipc\./);
  });

  test('a plain grant that does not reach a restricted target gives the restricted hint', async () => {
    const { json } = await explain('init-lite', 'ipc.route', 'execd');
    expect(json.reason).toBe('no-rule');
    expect(json.nearMisses.restricted).toMatchObject({ needed: 'ipc.route@execd', grant: { service: 'init-lite', pattern: 'ipc.route' } });
  });

  test('a deny rule names the grants it overrode', async () => {
    const run = await runCli(['explain', '--subject', 'bundlemgrd', '--action', 'ipc.route', '--target', 'execd'], REPO_ROOT);
    expect(run.stdout).toContain('rule:     recipes/policy/authority.toml:');
    expect(run.stdout).toContain('deny bundlemgrd ipc.route@execd');
  });

  test('test_reject_missing_action: --action is required (exit 2, usage on stderr)', async () => {
    const run = await runCli(['explain', '--subject', 'keystored'], REPO_ROOT);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--action is required');
  });

  test('test_reject_spoofed_subject: a name the kernel cannot run is refused, not hashed', async () => {
    for (const subject of ['KeyStored', ' keystored', '', 'k'.repeat(49)]) {
      const run = await runCli(['explain', '--subject', subject, '--action', 'crypto.sign'], REPO_ROOT);
      expect(run.code).toBe(2);
    }
  });

  test('test_reject_huge_action: a 100 kB action is a malformed deny, not a crash', async () => {
    const { code, json } = await explain('keystored', 'a'.repeat(100_000));
    expect([code, json.reason]).toEqual([1, 'malformed']);
  });

  test('--action CAP@TARGET is sugar for --target', async () => {
    const sugar = await runJson(['explain', '--subject', 'init-lite', '--action', 'ipc.route@execd'], REPO_ROOT);
    const plain = await explain('init-lite', 'ipc.route', 'execd');
    expect([sugar.code, sugar.json.reason, sugar.json.target]).toEqual([plain.code, plain.json.reason, 'execd']);
  });

  test('test_reject_two_targets: --action CAP@T with --target is a usage error', async () => {
    const run = await runCli(['explain', '--subject', 'init-lite', '--action', 'ipc.route@execd', '--target', 'logd'], REPO_ROOT);
    expect([run.code, run.stderr]).toEqual([2, expect.stringContaining('give the target once')]);
  });

  test('an unknown subject is reported as such, with a did-you-mean', async () => {
    const run = await runCli(['explain', '--subject', 'keystore', '--action', 'crypto.sign'], REPO_ROOT);
    expect(run.stdout).toContain('note:     "keystore" is not a service in this policy (did you mean "keystored"?)\n');
    const { json } = await explain('keystored', 'crypto.sign');
    expect(json.subject).toMatchObject({ inPolicy: true, didYouMean: null });
  });

  test('test_reject_control_bytes: a malformed action is printed escaped', async () => {
    const run = await runCli(['explain', '--subject', 'keystored', '--action', 'x\u001b[2Ky'], REPO_ROOT);
    expect(run.stdout).not.toContain('\u001b');
  });
});
