import { resolve } from 'node:path';
import { serviceIdFromName, type Decision } from '@nexus/sel';
import { CommandArgs } from './command-args.js';
import { measureCoverage, meetsMinCoverage, parsePercent } from './coverage.js';
import { FIXTURE_LIMITS, parseFixtures, type FixtureCase } from './fixture-file.js';
import { formatJson } from './format-json.js';
import { DEFAULT_POLICY_DIR, loadPolicy } from './load-policy.js';
import type { CliIo } from './main.js';
import { formatRule, ruleJson } from './rule-location.js';

/**
 * `nexus-policy test FIXTURES.toml [DIR] [--min-coverage N]`: runs every fixture case through
 * `policy.decide`, prints each failure (expected vs actual and the deciding rule) and the per-rule
 * coverage. Exit 0 when every case passes and coverage reaches N, 1 otherwise.
 *
 * @example
 * await testCommand(['fixtures/recipes.cases.toml', 'recipes/policy', '--min-coverage', '50'], io);
 */
export async function testCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse('test', argv, { 'min-coverage': { type: 'string' } }, { min: 1, max: 2 });
  const minText = args.string('min-coverage');
  const min = minText === undefined ? undefined : parsePercent(minText);
  const [fixturePath = '', dir = DEFAULT_POLICY_DIR] = args.positionals;
  const cases = parseFixtures(await io.readFile(resolve(io.cwd, fixturePath), FIXTURE_LIMITS.maxBytes), fixturePath);
  const policy = await loadPolicy(dir, io);

  const results = cases.map((fixture) => {
    const decision = policy.decide({ subject: serviceIdFromName(fixture.subject), action: fixture.action, target: fixture.target });
    return { fixture, decision, passed: passes(fixture, decision) };
  });
  const failures = results.filter((result) => !result.passed);
  const coverage = measureCoverage(
    policy.rules,
    results.map((result) => result.decision.rule),
  );
  const coverageOk = min === undefined || meetsMinCoverage(coverage.covered, coverage.total, min);
  const code = failures.length === 0 && coverageOk ? 0 : 1;

  if (args.json) {
    io.stdout(
      formatJson({
        ok: code === 0,
        version: policy.version,
        cases: cases.length,
        passed: cases.length - failures.length,
        failures: failures.map(({ fixture, decision }) => ({
          file: fixturePath,
          line: fixture.line,
          subject: fixture.subject,
          action: fixture.action,
          target: fixture.target ?? null,
          expected: { decision: fixture.expect, reason: fixture.reason ?? null },
          actual: { decision: decision.allow ? 'allow' : 'deny', reason: decision.reason },
          rule: ruleJson(decision.rule),
        })),
        coverage: {
          covered: coverage.covered,
          total: coverage.total,
          min: min?.text ?? null,
          ok: coverageOk,
          rules: coverage.rules.map((entry) => ({ ...ruleJson(entry.rule), cases: entry.cases })),
        },
      }),
    );
    return code;
  }

  let out = '';
  for (const { fixture, decision } of failures) {
    const query = `${fixture.subject} ${fixture.action}${fixture.target === undefined ? '' : `@${fixture.target}`}`;
    const expected = `${fixture.expect}${fixture.reason === undefined ? '' : ` (${fixture.reason})`}`;
    out += `FAIL ${fixturePath}:${fixture.line}: ${query}: expected ${expected}, got ${decision.allow ? 'allow' : 'deny'} (${decision.reason})\n`;
    out += `     decided by: ${decision.rule === undefined ? 'no rule (deny by default)' : formatRule(decision.rule)}\n`;
  }
  out += `cases: ${cases.length - failures.length} passed, ${failures.length} failed, ${cases.length} total\n`;
  out += `coverage: ${coverage.covered}/${coverage.total} rules (${percentText(coverage.covered, coverage.total)})\n`;
  if (coverage.uncovered.length > 0) {
    out += 'never exercised:\n';
    for (const rule of coverage.uncovered) out += `  ${formatRule(rule)}\n`;
  }
  if (min !== undefined) out += `min coverage ${min.text}%: ${coverageOk ? 'ok' : 'FAILED'}\n`;
  io.stdout(out);
  return code;
}

function passes(fixture: FixtureCase, decision: Decision): boolean {
  return (decision.allow ? 'allow' : 'deny') === fixture.expect && (fixture.reason === undefined || fixture.reason === decision.reason);
}

/** Truncated (never rounded up) to two decimals, so 99.999% prints as 99.99%, not 100%. */
function percentText(covered: number, total: number): string {
  if (total === 0) return '100%';
  const hundredths = (BigInt(covered) * 10_000n) / BigInt(total);
  return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')}%`;
}
