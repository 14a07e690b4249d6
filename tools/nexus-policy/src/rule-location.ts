import type { Rule } from '@nexus/sel';

/**
 * Where a rule was written, as `file:line:col` (the form editors and compilers use).
 *
 * @example
 * ruleLocation(policy.rules[0]); // 'recipes/policy/base.toml:5:1'
 */
export function ruleLocation(rule: Pick<Rule, 'file' | 'line' | 'column'>): string {
  return `${rule.file}:${rule.line}:${rule.column}`;
}

/**
 * A rule as one readable line: its location, effect, service and pattern.
 *
 * @example
 * formatRule(rule); // 'recipes/policy/base.toml:5:14  allow keystored crypto.sign'
 */
export function formatRule(rule: Rule): string {
  return `${ruleLocation(rule)}  ${rule.effect} ${rule.service} ${rule.pattern}`;
}

/**
 * A rule as a JSON-friendly object (no internal ids).
 *
 * @example
 * ruleJson(rule); // { file: 'base.toml', line: 5, column: 14, effect: 'allow', service: 'keystored', pattern: 'crypto.sign' }
 */
export function ruleJson(rule: Rule | undefined): RuleJson | null {
  if (rule === undefined) return null;
  const { file, line, column, effect, service, pattern } = rule;
  return { file, line, column, effect, service, pattern };
}

/** The JSON shape of a rule in `--json` output. */
export interface RuleJson {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly effect: Rule['effect'];
  readonly service: string;
  readonly pattern: string;
}
