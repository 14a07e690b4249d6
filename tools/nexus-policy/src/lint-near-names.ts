import type { Policy, Rule } from '@nexus/sel';
import type { LintWarning } from './lint-warning.js';
import { ruleLocation } from './rule-location.js';

/** Names shorter than this are too short for one edit to mean a typo (`logd`, `vfsd` are four). */
const MIN_SUSPECT_LENGTH = 5;

/**
 * Finds subjects one typo apart (`keystord` beside `keystored`, `bundlemrgd` beside `bundlemgrd`):
 * a grant or deny for a misspelled service compiles, and silently goes to a service that does not
 * exist. One typo is one inserted, deleted, replaced or swapped-adjacent character, found by the
 * symmetric-delete method (names sharing a one-deletion variant), so the pass is linear in the
 * total length of the names rather than quadratic in their number. Each suspect is reported once,
 * at its first rule, naming the earlier-written name it is near.
 *
 * @example
 * lintNearNames(compilePolicy([{ path: 'a.toml', text: '[allow]\nkeystored = ["x.y"]\nkeystord = ["x.y"]' }]));
 * // [{ kind: 'near-name', rule: <a.toml:3 keystord>, message: 'keystord is one typo away from keystored (a.toml:2:1): ...' }]
 */
export function lintNearNames(policy: Policy): readonly LintWarning[] {
  const first = new Map<string, Rule>();
  for (const rule of [...policy.rules].sort(byPosition)) {
    if (rule.service !== '*' && !first.has(rule.service)) first.set(rule.service, rule);
  }
  const byVariant = new Map<string, string[]>();
  for (const name of first.keys()) {
    if (name.length < MIN_SUSPECT_LENGTH) continue;
    for (const variant of oneDeletion(name)) {
      const names = byVariant.get(variant);
      if (names === undefined) byVariant.set(variant, [name]);
      else if (!names.includes(name)) names.push(name);
    }
  }
  const warnings: LintWarning[] = [];
  const reported = new Set<string>();
  for (const [name, rule] of first) {
    if (name.length < MIN_SUSPECT_LENGTH) continue;
    const near = nearestEarlier(name, rule, first, byVariant);
    if (near === undefined || reported.has(name)) continue;
    reported.add(name);
    const nobody = rule.effect === 'allow' ? 'the grant goes to nobody' : 'the deny guards nobody';
    warnings.push({
      kind: 'near-name',
      rule,
      related: near,
      message: `${name} is one typo away from ${near.service} (${ruleLocation(near)}): if it is not a service of its own, ${nobody}`,
    });
  }
  return warnings;
}

/** The name itself and every string one character shorter: two names one typo apart share one. */
function oneDeletion(name: string): Set<string> {
  const variants = new Set([name]);
  for (let index = 0; index < name.length; index++) variants.add(name.slice(0, index) + name.slice(index + 1));
  return variants;
}

function nearestEarlier(
  name: string,
  rule: Rule,
  first: ReadonlyMap<string, Rule>,
  byVariant: ReadonlyMap<string, readonly string[]>,
): Rule | undefined {
  let best: Rule | undefined;
  for (const variant of oneDeletion(name)) {
    for (const other of byVariant.get(variant) ?? []) {
      const otherRule = first.get(other);
      if (other === name || otherRule === undefined || !oneTypoApart(name, other)) continue;
      if (byPosition(otherRule, rule) >= 0) continue;
      if (best === undefined || byPosition(otherRule, best) < 0) best = otherRule;
    }
  }
  return best;
}

/** Sharing a one-deletion variant is necessary, not sufficient (`ab`/`ba` share `a`): confirm. */
function oneTypoApart(a: string, b: string): boolean {
  if (a.length === b.length) {
    const diff = [...a].flatMap((ch, index) => (ch === b[index] ? [] : [index]));
    if (diff.length === 1) return true;
    const [i, j] = diff;
    return diff.length === 2 && i !== undefined && j === i + 1 && a[i] === b[j] && a[j] === b[i];
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (long.length !== short.length + 1) return false;
  for (let index = 0; index < long.length; index++) {
    if (long.slice(0, index) + long.slice(index + 1) === short) return true;
  }
  return false;
}

function byPosition(a: Rule, b: Rule): number {
  return (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column;
}
