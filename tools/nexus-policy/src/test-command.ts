import { relative, resolve } from 'node:path';
import { didYouMean, serviceIdFromName, type Decision, type Policy, type Rule } from '@nexus/sel';
import { CliError } from './cli-error.js';
import { CommandArgs } from './command-args.js';
import { measureCoverage, meetsMinCoverage, parsePercent } from './coverage.js';
import { FIXTURE_LIMITS, parseFixtures, type FixtureCase } from './fixture-file.js';
import { fixtureInputs } from './fixture-inputs.js';
import { formatJson } from './format-json.js';
import { DEFAULT_POLICY_DIR, loadPolicy } from './load-policy.js';
import type { CliIo } from './cli-io.js';
import { formatRule, ruleJson } from './rule-location.js';

interface FileCase extends FixtureCase {
  readonly file: string;
}

/**
 * `nexus-policy test FIXTURES... [DIR] [--policy DIR] [--coverage-of FILE] [--min-coverage N]`:
 * runs every case of every fixture file (a folder stands for its `*.toml`) through
 * `policy.decide`, prints each failure (expected vs actual and the deciding rule) and the per-rule
 * coverage, narrowed to the rules of one policy file with `--coverage-of`. Exit 0 when every case
 * passes and coverage reaches N, 1 otherwise, 2 for bad input (an empty fixture file included).
 *
 * @example
 * await testCommand(['fixtures/', '--policy', 'recipes/policy', '--min-coverage', '50'], io);
 */
export async function testCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse(
    'test',
    argv,
    { 'min-coverage': { type: 'string' }, policy: { type: 'string' }, 'coverage-of': { type: 'string' } },
    { min: 1, max: FIXTURE_LIMITS.maxFiles + 1 },
  );
  const minText = args.string('min-coverage');
  const min = minText === undefined ? undefined : parsePercent(minText);
  const inputs = await fixtureInputs(args.positionals, io);
  const flagDir = args.string('policy');
  if (flagDir !== undefined && inputs.policyDir !== undefined) {
    throw new CliError('USAGE', `test: two policy folders, --policy ${flagDir} and ${inputs.policyDir}: give one`);
  }
  const dir = flagDir ?? inputs.policyDir ?? DEFAULT_POLICY_DIR;
  const cases = await readCases(inputs.files, io);
  const policy = await loadPolicy(dir, io);
  const coverageOf = args.string('coverage-of');
  const coverageFile = coverageOf === undefined ? undefined : policyFileOf(policy, coverageOf, dir, io);

  const results = cases.map((fixture) => {
    const decision = policy.decide({ subject: serviceIdFromName(fixture.subject), action: fixture.action, target: fixture.target });
    return { fixture, decision, passed: passes(fixture, decision) };
  });
  const failures = results.filter((result) => !result.passed);
  const inScope = (rule: Rule | undefined): boolean => coverageFile === undefined || rule?.file === coverageFile;
  const coverage = measureCoverage(
    policy.rules.filter(inScope),
    results.map((result) => result.decision.rule).filter(inScope),
  );
  const coverageOk = min === undefined || meetsMinCoverage(coverage.covered, coverage.total, min);
  const code = failures.length === 0 && coverageOk ? 0 : 1;

  if (args.json) {
    io.stdout(
      formatJson({
        ok: code === 0,
        version: policy.version,
        files: inputs.files,
        cases: cases.length,
        passed: cases.length - failures.length,
        failures: failures.map(({ fixture, decision }) => ({
          file: fixture.file,
          line: fixture.line,
          subject: fixture.subject,
          action: fixture.action,
          target: fixture.target ?? null,
          expected: { decision: fixture.expect, reason: fixture.reason ?? null },
          actual: { decision: decision.allow ? 'allow' : 'deny', reason: decision.reason },
          rule: ruleJson(decision.rule),
        })),
        coverage: {
          of: coverageFile ?? null,
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
    out += `FAIL ${fixture.file}:${fixture.line}: ${query}: expected ${expected}, got ${decision.allow ? 'allow' : 'deny'} (${decision.reason})\n`;
    out += `     decided by: ${decision.rule === undefined ? 'no rule (deny by default)' : formatRule(decision.rule)}\n`;
  }
  const fileCount = inputs.files.length === 1 ? '' : ` (${inputs.files.length} files)`;
  out += `cases: ${cases.length - failures.length} passed, ${failures.length} failed, ${cases.length} total${fileCount}\n`;
  const scope = coverageFile === undefined ? 'coverage' : `coverage of ${coverageFile}`;
  out += `${scope}: ${coverage.covered}/${coverage.total} rules (${percentText(coverage.covered, coverage.total)})\n`;
  if (coverage.uncovered.length > 0) {
    out += 'never exercised:\n';
    for (const rule of coverage.uncovered) out += `  ${formatRule(rule)}\n`;
  }
  if (min !== undefined) out += `min coverage ${min.text}%: ${coverageOk ? 'ok' : 'FAILED'}\n`;
  io.stdout(out);
  return code;
}

async function readCases(files: readonly string[], io: CliIo): Promise<FileCase[]> {
  const cases: FileCase[] = [];
  for (const file of files) {
    const text = await io.readFile(resolve(io.cwd, file), FIXTURE_LIMITS.maxBytes);
    for (const fixture of parseFixtures(text, file)) cases.push({ ...fixture, file });
    if (cases.length > FIXTURE_LIMITS.maxRunCases) {
      throw new CliError('FIXTURE', `more than ${FIXTURE_LIMITS.maxRunCases} cases in one run`, { file });
    }
  }
  return cases;
}

/**
 * The policy's own name for `--coverage-of FILE`: the file as typed, relative to the current
 * folder or to the policy folder. A file the policy does not have is a usage error naming the nearest.
 */
function policyFileOf(policy: Policy, wanted: string, dir: string, io: CliIo): string {
  const known = [...new Set(policy.rules.map((rule) => rule.file))];
  const targets = new Set([resolve(io.cwd, wanted), resolve(io.cwd, dir, wanted)]);
  const found = known.find((file) => targets.has(resolve(io.cwd, file)));
  if (found !== undefined) return found;
  const near = didYouMean(relative(io.cwd, resolve(io.cwd, dir, wanted)), known) ?? didYouMean(wanted, known);
  const hint = near === undefined ? ` (its files: ${known.join(', ')})` : ` (did you mean "${near}"?)`;
  throw new CliError('USAGE', `test: --coverage-of ${wanted.slice(0, 256)}: not a file of the policy${hint}`);
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
