import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy } from '@nexus/sel';
import { describe, expect, test } from 'vitest';
import { PACKAGE_ROOT, runCli, runJson } from '../test-support/run-cli.js';

// The journal of a real `npm start -- --audit-out` run (see replay-command.test.ts): its default
// denies are the selftest's "keystored sign denied" proof (selftest-client crypto.sign, asked by
// keystored, seq 25) and the bundle installed under a system name (bundle.install@samgrd, seq 41).
const F = 'fixtures/replay';
const JOURNAL = `${F}/audit.journal`;
const KEY = `${F}/audit-key.pem`;
const learn = (...rest: string[]): string[] => ['learn', JOURNAL, '--policy', `${F}/policy-same`, '--key', KEY, ...rest];

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'nexus-learn-'));
}

describe('learn on a real e2e-policy journal', () => {
  test('grants exactly the observed unrestricted pair; the restricted target is refused without a ceiling', async () => {
    const run = await runCli(learn());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[allow]\n"selftest-client" = [\n  "crypto.sign", # x1, seq 25, op check_cap_delegated\n]\n');
    expect(run.stdout).toContain('#   selftest-client "bundle.install@samgrd"  x1, seq 41, op check_cap_delegated: restricted-target:');
    expect(run.stdout.match(/^"/gm)).toHaveLength(1);
  });

  test('a ceiling that is the policy itself refuses every grant', async () => {
    const run = await runCli(learn('--ceiling', `${F}/policy-same`));
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('[allow]');
    expect(run.stdout).toContain('"crypto.sign"  x1, seq 25, op check_cap_delegated: outside-ceiling: the ceiling does not grant it');
    expect(run.stdout).toContain('"bundle.install@samgrd"  x1, seq 41, op check_cap_delegated: outside-ceiling');
  });

  test('--json lists grants, refusals and the patch', async () => {
    const { code, json } = await runJson(learn());
    expect(code).toBe(0);
    expect(json.ok).toBe(true);
    expect(json.observed).toBe(2);
    expect(json.grants).toEqual([expect.objectContaining({ service: 'selftest-client', pattern: 'crypto.sign', count: 1, firstSeq: '25', lastSeq: '25', ops: ['check_cap_delegated'] })]);
    expect(json.refused).toEqual([expect.objectContaining({ action: 'bundle.install', target: 'samgrd', kind: 'restricted-target' })]);
    expect(json.patch).toContain('"crypto.sign", # x1, seq 25');
  });

  test('-o FILE writes the patch, which compiles with the policy and allows exactly the learned pair', async () => {
    const out = join(tmp(), 'learned.toml');
    const run = await runCli(learn('-o', out));
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`learn: 1 grant(s), 1 refused, 0 allowed by now (2 observed default denies) -> ${out}\n`);
    const files = ['authority.toml', 'base.toml'].map((name) => ({ path: name, text: readFileSync(join(PACKAGE_ROOT, F, 'policy-same', name), 'utf8') }));
    const patched = compilePolicy([...files, { path: 'learned.toml', text: readFileSync(out, 'utf8') }]);
    expect(patched.rules.filter((r) => r.file === 'learned.toml').map((r) => `${r.service} ${r.pattern}`)).toEqual(['selftest-client crypto.sign']);
  });

  test('replaying the journal under the patched policy changes exactly the learned record', async () => {
    const dir = tmp();
    for (const name of ['authority.toml', 'base.toml']) writeFileSync(join(dir, name), readFileSync(join(PACKAGE_ROOT, F, 'policy-same', name)));
    const learned = await runCli(learn());
    writeFileSync(join(dir, 'learned.toml'), learned.stdout);
    const { code, json } = await runJson(['replay', '--policy', dir, JOURNAL, '--key', KEY]);
    expect(code).toBe(1);
    expect(json.changes.map((c: { seq: string; old: { reason: string }; now: { decision: string } }) => [c.seq, c.old.reason, c.now.decision])).toEqual([['25', 'no-rule', 'allow']]);
  });
});

describe('learn refuses what it cannot use', () => {
  test('an unverified journal (no --key) is refused with exit 1 before any patch', async () => {
    const run = await runCli(['learn', JOURNAL, '--policy', `${F}/policy-same`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('UNVERIFIED');
    expect(run.stderr).toContain('learn: refused (--allow-unverified');
  });

  test('--allow-unverified learns with a warning', async () => {
    const run = await runCli(['learn', JOURNAL, '--policy', `${F}/policy-same`, '--allow-unverified']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('warning: journal is UNVERIFIED');
    expect(run.stdout).toContain('"crypto.sign", # x1, seq 25');
  });

  test('a tampered journal is refused even with --allow-unverified', async () => {
    const dir = tmp();
    const text = readFileSync(join(PACKAGE_ROOT, JOURNAL), 'utf8').replace('action=crypto.sign', 'action=crypto.verify');
    writeFileSync(join(dir, 'audit.journal'), text);
    const run = await runCli(['learn', join(dir, 'audit.journal'), '--policy', `${F}/policy-same`, '--key', KEY, '--allow-unverified']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
  });

  test('test_reject_learn_editing_policy: -o inside the policy or ceiling folder is a usage error, nothing written', async () => {
    for (const [flag, dir] of [['--policy', `${F}/policy-same`], ['--ceiling', `${F}/policy-drop`]] as const) {
      const argv = flag === '--policy' ? learn('-o', `${dir}/learned.toml`) : learn('--ceiling', dir, '-o', `${dir}/learned.toml`);
      const run = await runCli(argv);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('learn never edits a policy');
      expect(existsSync(join(PACKAGE_ROOT, dir, 'learned.toml'))).toBe(false);
    }
  });

  test('a policy or a ceiling that does not compile: exit 2 with file:line:col', async () => {
    for (const argv of [['learn', JOURNAL, '--policy', 'fixtures/policy-broken', '--key', KEY], learn('--ceiling', 'fixtures/policy-broken')]) {
      const run = await runCli(argv);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^fixtures\/policy-broken\/[a-z-]+\.toml:\d+:\d+: [A-Z_]+: /);
    }
  });

  test('learn is listed in the help', async () => {
    const run = await runCli(['help']);
    expect(run.stdout).toContain('  learn JOURNAL [--ceiling DIR] [-o FILE]');
    expect((await runCli(['learn', '--help'])).stdout).toContain('Usage: nexus-policy learn JOURNAL');
  });
});

describe('learn on a real run with learn mode and a shadow (fixtures/learn)', () => {
  // `npm start -- --policy fixtures/learn/policy --shadow fixtures/learn/candidate --audit-out
  // --audit-key-out`: policy is the recipes/policy of that run (demo.testsvc in learn mode).
  const L = 'fixtures/learn';
  test('the would-deny of the demo bundle is granted exactly; its deny-rule question is not a default deny', async () => {
    const { code, json } = await runJson(['learn', `${L}/audit.journal`, '--policy', `${L}/policy`, '--key', `${L}/audit-key.pem`]);
    expect(code).toBe(0);
    expect(json.grants.map((g: { service: string; pattern: string }) => `${g.service} ${g.pattern}`)).toContain('demo.testsvc time.read');
    expect(json.grants.filter((g: { service: string }) => g.service === 'demo.testsvc')).toHaveLength(1);
  });
});
