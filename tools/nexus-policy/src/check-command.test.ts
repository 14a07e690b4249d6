import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli, runJson } from '../test-support/run-cli.js';
import { checkCommand } from './check-command.js';

describe(checkCommand, () => {
  test('recipes/policy (the default folder, from the repository root) compiles', async () => {
    const run = await runCli(['check'], REPO_ROOT);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^policy recipes\/policy: ok\nversion: sha256:[0-9a-f]{64}\n/);
    expect(run.stderr).toBe('');
  });

  test('fixtures/policy-good: summary, no warnings', async () => {
    const { code, json } = await runJson(['check', 'fixtures/policy-good']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, services: 4, rules: 13, denyRules: 1, restrictions: 1, warnings: [] });
  });

  test('fixtures/policy-lint: one warning of each kind, located', async () => {
    const run = await runCli(['check', 'fixtures/policy-lint']);
    expect(run.code).toBe(0);
    const warnings = run.stdout.split('\n').filter((line) => line.includes(': warning: '));
    expect(warnings).toEqual([
      expect.stringMatching(/^fixtures\/policy-lint\/a\.toml:2:21: warning: shadowed-grant: logd log\.read .*a\.toml:7:9/),
      expect.stringMatching(/^fixtures\/policy-lint\/a\.toml:9:14: warning: dead-deny: deny keystored fs\.write matches nothing/),
      expect.stringMatching(/^fixtures\/policy-lint\/b\.toml:3:14: warning: duplicate-grant: keystored is granted crypto\.sign again/),
    ]);
  });

  test('fixtures/policy-lint-names: the one granted subject missing from [restrict] "bundle.install" is named', async () => {
    const run = await runCli(['check', 'fixtures/policy-lint-names']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter((line) => line.includes(': warning: '))).toEqual([
      'fixtures/policy-lint-names/base.toml:5:12: warning: unrestricted-name: updated holds grants (crypto.verify at ' +
        'fixtures/policy-lint-names/base.toml:5:12) but is not a target of [restrict] "bundle.install" ' +
        '(fixtures/policy-lint-names/base.toml:9:1): a bundle installed as updated would inherit them; ' +
        'add it to [restrict] "bundle.install"',
    ]);
    expect(run.stdout).toContain('\n1 warning(s)\n');
  });

  test('fixtures/policy-lint-install: no [restrict] "bundle.install" and an untargeted holder is one warning', async () => {
    const { code, json } = await runJson(['check', 'fixtures/policy-lint-install']);
    expect(code).toBe(0);
    expect(json.warnings).toEqual([
      {
        kind: 'unrestricted-install',
        file: 'fixtures/policy-lint-install/base.toml',
        line: 4,
        column: 32,
        message: expect.stringMatching(/^selftest-client may install a bundle under any name and there is no \[restrict\] "bundle\.install"/),
      },
    ]);
  });

  test('test_reject_broken_policy: fixtures/policy-broken prints file:line:col: code and exits 2', async () => {
    const run = await runCli(['check', 'fixtures/policy-broken']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^fixtures\/policy-broken\/base\.toml:3:10: BAD_PATTERN: /);
    expect(run.stderr).toContain('^');
  });

  test('test_reject_broken_policy: --json reports the error as one document', async () => {
    const { code, json } = await runJson(['check', 'fixtures/policy-broken']);
    expect(code).toBe(2);
    expect(json.error).toMatchObject({ code: 'BAD_PATTERN', file: 'fixtures/policy-broken/base.toml', line: 3, column: 10 });
  });

  test('test_reject_missing_dir: a folder that does not exist is an IO error, exit 2', async () => {
    const run = await runCli(['check', 'fixtures/no-such-dir']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^fixtures\/no-such-dir: IO: /);
  });

  test('test_reject_extra_argument: two folders is a usage error', async () => {
    const run = await runCli(['check', 'a', 'b']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: nexus-policy check');
  });

  test.each([
    ['the parent of the policy folder (no *.toml in it)', '../../recipes', 'no *.toml policy file in this folder'],
    ['a file instead of a folder', 'fixtures/policy-good/base.toml', 'is a file, not a policy folder'],
    ['a missing folder', 'fixtures/nope', 'no such policy folder'],
  ])('test_reject_wrong_folder: %s is exit 2 with a one-line cause', async (_name, dir, cause) => {
    const run = await runCli(['check', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(cause);
    expect(run.stdout).not.toContain('ok');
  });

  test('a dead deny of a service no grant names suggests the granted one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'policy-'));
    await writeFile(join(dir, 'a.toml'), '[allow]\nkeystored = ["crypto.sign"]\n[deny]\nkeystord = ["crypto.sign"]\n');
    const run = await runCli(['check', dir]);
    expect(run.stdout).toContain('dead-deny: deny keystord crypto.sign matches nothing: no allow rule of keystord could match it (did you mean keystored?)');
  });

  test('a grant to a misspelled service warns near-name, naming the service it is near', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'policy-'));
    await writeFile(join(dir, 'a.toml'), '[allow]\nkeystored = ["crypto.sign"]\nkeystord = ["crypto.verify"]\n');
    const run = await runCli(['check', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('near-name: keystord is one typo away from keystored');
    expect(run.stdout).toContain('1 warning(s)');
  });

  test('test_reject_undeclared_capability: a typo in a grant of the recipes is a located compile error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'policy-'));
    await cp(join(REPO_ROOT, 'recipes/policy'), dir, { recursive: true });
    await writeFile(join(dir, 'typo.toml'), '[allow]\nvfsd = ["crypto.sing"]\n');
    const run = await runCli(['check', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('typo.toml:2:9: UNKNOWN_CAPABILITY: "crypto.sing" is not a declared capability (did you mean "crypto.sign"?)');
  });
});
