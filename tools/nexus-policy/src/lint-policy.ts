import { didYouMean, serviceIdFromName, type Policy, type Rule } from '@nexus/sel';
import { lintBundleNames } from './lint-bundle-names.js';
import { lintLearnMode } from './lint-learn-mode.js';
import { lintNearNames } from './lint-near-names.js';
import { capabilitiesOverlap, representativeAction, wildcardPrefix } from '@nexus/sel/analysis';
import { ruleLocation } from './rule-location.js';
import type { LintWarning } from './lint-warning.js';

/**
 * Finds grants that can never take effect and denies that guard nothing, using the policy's own
 * `decide` wherever a semantic answer is needed:
 * - `shadowed-grant`: every query the allow rule matches is denied (checked on a query that only
 *   the most general rules can match: the rule's own target, and a capability no rule names for a
 *   wildcard);
 * - `duplicate-grant`: the same service and pattern granted twice (in one file or across files);
 * - `dead-deny`: no allow rule of that service (of any service, for `"*"`) could match what the
 *   deny names;
 * - `unrestricted-name` / `unrestricted-install`: a granted service's name a bundle could be
 *   installed under (see `lintBundleNames`);
 * - `near-name`: a subject one typo away from another (see `lintNearNames`);
 * - `learn-mode`: a service a `[mode]` table puts in learn mode (see `lintLearnMode`).
 * Warnings come in file, line, column order.
 *
 * @example
 * lintPolicy(compilePolicy([{ path: 'a.toml', text: '[allow]\na = ["x.y"]\n[deny]\na = ["x.*"]' }]));
 * // [{ kind: 'shadowed-grant', rule: <a.toml:2 allow>, related: <a.toml:4 deny>, message: ... }]
 */
export function lintPolicy(policy: Policy): readonly LintWarning[] {
  const allows = policy.rules.filter((rule) => rule.effect === 'allow');
  const denies = policy.rules.filter((rule) => rule.effect === 'deny');
  const named = new Set(policy.rules.map((rule) => rule.capability).filter((cap) => wildcardPrefix(cap) === undefined));
  const warnings: LintWarning[] = [];

  const firstGrant = new Map<string, Rule>();
  for (const rule of allows) {
    const key = `${rule.service}\u0000${rule.pattern}`;
    const first = firstGrant.get(key);
    if (first === undefined) {
      firstGrant.set(key, rule);
    } else {
      warnings.push({
        kind: 'duplicate-grant',
        rule,
        related: first,
        message: `${rule.service} is granted ${rule.pattern} again (first at ${ruleLocation(first)})`,
      });
    }
  }

  for (const rule of allows) {
    const action = representativeAction(rule.capability, named);
    if (action === undefined) continue;
    const decision = policy.decide({ subject: serviceIdFromName(rule.service), action, target: rule.target });
    if (decision.reason === 'deny-rule') {
      warnings.push({
        kind: 'shadowed-grant',
        rule,
        related: decision.rule,
        message: `${rule.service} ${rule.pattern} never takes effect: denied by ${describe(decision.rule)}`,
      });
    }
  }

  for (const rule of denies) {
    const guarded = allows.some(
      (allow) =>
        (rule.service === '*' || allow.service === rule.service) &&
        capabilitiesOverlap(allow.capability, rule.capability) &&
        (rule.target === undefined || allow.target === undefined || allow.target === rule.target),
    );
    if (!guarded) {
      const whose = rule.service === '*' ? 'any service' : rule.service;
      // A service that holds no grant at all is most often a typo of one that does.
      const granted = [...new Set(allows.map((allow) => allow.service))];
      const near = granted.includes(rule.service) ? undefined : didYouMean(rule.service, granted);
      warnings.push({
        kind: 'dead-deny',
        rule,
        related: undefined,
        message: `deny ${rule.service} ${rule.pattern} matches nothing: no allow rule of ${whose} could match it${
          near === undefined ? '' : ` (did you mean ${near}?)`
        }`,
      });
    }
  }

  warnings.push(...lintBundleNames(policy), ...lintNearNames(policy), ...lintLearnMode(policy));
  return warnings.sort(
    (a, b) =>
      compareText(a.rule.file, b.rule.file) || a.rule.line - b.rule.line || a.rule.column - b.rule.column,
  );
}

function describe(rule: Rule | undefined): string {
  return rule === undefined ? 'a deny rule' : `deny ${rule.service} ${rule.pattern} at ${ruleLocation(rule)}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
