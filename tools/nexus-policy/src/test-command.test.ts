import { describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli, runJson } from '../test-support/run-cli.js';
import { testCommand } from './test-command.js';

describe(testCommand, () => {
  test('cases-good.toml on policy-good: all pass, coverage listed', async () => {
    const run = await runCli(['test', 'fixtures/cases-good.toml', 'fixtures/policy-good']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('cases: 6 passed, 0 failed, 6 total\n');
    expect(run.stdout).toContain('coverage: 4/13 rules (30.76%)\n');
    expect(run.stdout).toContain('never exercised:\n  fixtures/policy-good/base.toml:3:29  allow keystored crypto.verify\n');
  });

  test('cases-failing.toml: each failure shows expected, actual and the deciding rule (exit 1)', async () => {
    const run = await runCli(['test', 'fixtures/cases-failing.toml', 'fixtures/policy-good']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL fixtures/cases-failing.toml:6: updated crypto.sign: expected allow, got deny (no-rule)\n');
    expect(run.stdout).toContain(
      'FAIL fixtures/cases-failing.toml:11: bundlemgrd fs.write: expected deny (no-rule), got deny (deny-rule)\n     decided by: fixtures/policy-good/base.toml:9:15  deny bundlemgrd fs.write\n',
    );
  });

  const coverage: readonly [min: string, code: number][] = [
    ['30.76', 0],
    ['30.77', 1],
    ['0', 0],
    ['100', 1],
  ];
  for (const [min, code] of coverage) {
    test(`--min-coverage ${min} with 4/13 covered exits ${code}`, async () => {
      const { code: actual, json } = await runJson(['test', 'fixtures/cases-good.toml', 'fixtures/policy-good', '--min-coverage', min]);
      expect(actual).toBe(code);
      expect(json.coverage).toMatchObject({ covered: 4, total: 13, min, ok: code === 0 });
    });
  }

  test('test_reject_unknown_key: file:line, exit 2', async () => {
    const run = await runCli(['test', 'fixtures/cases-unknown-key.toml', 'fixtures/policy-good']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('fixtures/cases-unknown-key.toml:4: unknown key "expected"');
  });

  test('test_reject_wrong_type: file:line, exit 2', async () => {
    const { code, json } = await runJson(['test', 'fixtures/cases-wrong-type.toml', 'fixtures/policy-good']);
    expect(code).toBe(2);
    expect(json.error).toMatchObject({ code: 'FIXTURE', file: 'fixtures/cases-wrong-type.toml', line: 4 });
  });

  test('test_reject_bad_min_coverage: 1e2 is a usage error', async () => {
    expect((await runCli(['test', 'fixtures/cases-good.toml', '--min-coverage', '1e2'])).code).toBe(2);
  });

  test('test_reject_missing_fixture_file: IO error, exit 2', async () => {
    const run = await runCli(['test', 'fixtures/none.toml', 'fixtures/policy-good']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read');
  });

  test('several files: cases from each, failures named by their own file', async () => {
    const run = await runCli(['test', 'fixtures/cases-good.toml', 'fixtures/cases-dir/b-route.toml', '--policy', 'fixtures/policy-good']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL fixtures/cases-dir/b-route.toml:8: updated crypto.sign: expected allow, got deny (no-rule)\n');
    expect(run.stdout).toContain('cases: 7 passed, 1 failed, 8 total (2 files)\n');
  });

  test('a fixture directory: every *.toml in it, sorted', async () => {
    const { code, json } = await runJson(['test', 'fixtures/cases-dir', '--policy', 'fixtures/policy-good']);
    expect(code).toBe(1);
    expect(json).toMatchObject({ cases: 3, passed: 2, files: ['fixtures/cases-dir/a-sign.toml', 'fixtures/cases-dir/b-route.toml'] });
    expect(json.failures).toMatchObject([{ file: 'fixtures/cases-dir/b-route.toml', line: 8 }]);
  });

  test('FIXTURES DIR (the older form) still names the policy folder last', async () => {
    const run = await runCli(['test', 'fixtures/cases-dir/a-sign.toml', 'fixtures/policy-good']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('cases: 1 passed, 0 failed, 1 total\n');
  });

  const coverageOf: readonly [flag: string][] = [['fixtures/policy-good/base.toml'], ['base.toml']];
  for (const [file] of coverageOf) {
    test(`--coverage-of ${file}: coverage counts only that file's rules`, async () => {
      const { code, json } = await runJson(['test', 'fixtures/cases-good.toml', 'fixtures/policy-good', '--coverage-of', file]);
      expect(code).toBe(0);
      expect(json.coverage).toMatchObject({ covered: 4, total: 13, of: 'fixtures/policy-good/base.toml' });
      expect(json.coverage.rules.every((rule: { file: string }) => rule.file === 'fixtures/policy-good/base.toml')).toBe(true);
    });
  }

  test('--coverage-of narrows on a policy of several files', async () => {
    const run = await runCli(['test', 'tools/nexus-policy/fixtures/recipes-cases.toml', '--coverage-of', 'recipes/policy/base.toml'], REPO_ROOT);
    expect(run.stdout).toMatch(/coverage of recipes\/policy\/base\.toml: \d+\/\d+ rules/);
    expect(run.stdout).not.toContain('recipes/policy/authority.toml:');
  });

  test('test_reject_coverage_of_unknown_file: a file the policy does not have, with the nearest', async () => {
    const run = await runCli(['test', 'fixtures/cases-good.toml', 'fixtures/policy-good', '--coverage-of', 'bse.toml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--coverage-of bse.toml: not a file of the policy (did you mean "fixtures/policy-good/base.toml"?)');
  });

  test('test_reject_empty_fixture: a file without a case is an error, not a pass', async () => {
    const run = await runCli(['test', 'fixtures/cases-empty.toml', 'fixtures/policy-good']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('fixtures/cases-empty.toml:1: no [[case]] table');
  });

  test('test_reject_empty_fixture_dir: a folder without fixture files', async () => {
    const run = await runCli(['test', 'fixtures/cases-empty-dir', '--policy', 'fixtures/policy-good']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('fixtures/cases-empty-dir: no *.toml fixture file in this folder');
  });

  test('test_reject_policy_twice: --policy and a trailing policy folder', async () => {
    const run = await runCli(['test', 'fixtures/cases-good.toml', 'fixtures/policy-good', '--policy', 'fixtures/policy-good']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('fixtures/policy-good');
  });
});
