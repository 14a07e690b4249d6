import { describe, expect, test } from 'vitest';
import { runCli, runJson } from '../test-support/run-cli.js';
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
});
