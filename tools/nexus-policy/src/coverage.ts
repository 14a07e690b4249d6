import type { Rule } from '@nexus/sel';
import { CliError } from './cli-error.js';

/** How many test cases one rule decided. */
export interface RuleCoverage {
  readonly rule: Rule;
  readonly cases: number;
}

/** Per-rule coverage of a fixture run: a rule is covered when it decided at least one case. */
export interface Coverage {
  readonly covered: number;
  readonly total: number;
  readonly rules: readonly RuleCoverage[];
  readonly uncovered: readonly Rule[];
}

/** A percentage as an exact fraction: `numerator / scale` percent (99.5 is 995 / 10). */
export interface Percent {
  readonly text: string;
  readonly numerator: bigint;
  readonly scale: bigint;
}

/**
 * Counts, for every rule of the policy (in its canonical order), how many decisions it determined.
 * `deciding` holds the determining rule of each case (`undefined` for no-rule and malformed).
 *
 * @example
 * const c = measureCoverage(policy.rules, cases.map((q) => policy.decide(q).rule));
 * `${c.covered}/${c.total}`; // '3/24'
 */
export function measureCoverage(rules: readonly Rule[], deciding: readonly (Rule | undefined)[]): Coverage {
  const counts = new Map<number, number>();
  for (const rule of deciding) {
    if (rule !== undefined) counts.set(rule.id, (counts.get(rule.id) ?? 0) + 1);
  }
  const perRule = rules.map((rule) => ({ rule, cases: counts.get(rule.id) ?? 0 }));
  const uncovered = perRule.filter((entry) => entry.cases === 0).map((entry) => entry.rule);
  return { covered: rules.length - uncovered.length, total: rules.length, rules: perRule, uncovered };
}

/**
 * Parses a `--min-coverage` value: a decimal percent from 0 to 100 with at most 18 fraction digits,
 * kept as an exact fraction so no rounding can make 99.99 pass as 100.
 *
 * @example
 * parsePercent('99.5'); // { text: '99.5', numerator: 995n, scale: 10n }
 * parsePercent('1e2');  // throws CliError('USAGE')
 */
export function parsePercent(text: string): Percent {
  const match = /^(\d{1,3})(?:\.(\d{1,18}))?$/.exec(text);
  if (match === null) {
    throw new CliError('USAGE', `--min-coverage: expected a decimal percent like 90 or 99.5, got "${text.slice(0, 32)}"`);
  }
  const fraction = match[2] ?? '';
  const scale = 10n ** BigInt(fraction.length);
  const numerator = BigInt(`${match[1]}${fraction}`);
  if (numerator > 100n * scale) throw new CliError('USAGE', `--min-coverage: ${text} is above 100`);
  return { text, numerator, scale };
}

/**
 * Whether `covered / total` reaches `min` percent, decided with exact integer arithmetic:
 * it fails exactly when `covered * 100 < min * total`. An empty policy (total 0) always passes.
 *
 * @example
 * meetsMinCoverage(2, 3, parsePercent('66.67')); // false: 200/3 = 66.666… < 66.67
 * meetsMinCoverage(2, 3, parsePercent('66.66')); // true
 */
export function meetsMinCoverage(covered: number, total: number, min: Percent): boolean {
  return BigInt(covered) * 100n * min.scale >= min.numerator * BigInt(total);
}
