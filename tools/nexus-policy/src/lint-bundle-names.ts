import { serviceIdFromName, type Policy, type Rule } from '@nexus/sel';
import type { LintWarning } from './lint-warning.js';
import { capabilitiesOverlap } from '@nexus/sel/analysis';
import { ruleLocation } from './rule-location.js';

/** The capability bundlemgrd asks policyd about, with the bundle's service name as target. */
export const BUNDLE_INSTALL = 'bundle.install';

/**
 * Finds service names a bundle could be installed under and whose grants it would inherit: a bundle
 * runs under its name's identity, so a granted subject whose name any holder of an untargeted
 * `bundle.install` grant may take hands those grants to the bundle.
 * - `unrestricted-name`: the policy has a `[restrict]` entry covering `bundle.install`, and a
 *   subject with at least one allow rule is not one of its targets (the list is kept by hand and
 *   this is what it forgets). One warning per subject, located at its first grant.
 * - `unrestricted-install`: no `[restrict]` entry covers `bundle.install` and some service may
 *   install bundles without naming a target, so every name is takeable. One warning, located at the
 *   first such grant.
 * Whether a target is restricted and whether a grant takes effect come from the policy's own
 * `explain` / `decide`.
 *
 * @example
 * lintBundleNames(compilePolicy([{ path: 'a.toml', text: '[allow]\na = ["bundle.install"]\nb = ["x.y"]' }]));
 * // [{ kind: 'unrestricted-install', rule: <a.toml:2 allow a bundle.install>, related: undefined, message: ... }]
 */
export function lintBundleNames(policy: Policy): readonly LintWarning[] {
  const restriction = policy.restricted.find((entry) => capabilitiesOverlap(entry.capability, BUNDLE_INSTALL));
  if (restriction === undefined) return unrestrictedInstall(policy);

  const firstGrant = new Map<string, Rule>();
  for (const rule of policy.rules) {
    if (rule.effect === 'allow' && !firstGrant.has(rule.service)) firstGrant.set(rule.service, rule);
  }
  const warnings: LintWarning[] = [];
  const where = `[restrict] "${restriction.capability}" (${ruleLocation(restriction)})`;
  for (const [service, rule] of firstGrant) {
    const query = { subject: serviceIdFromName(service), action: BUNDLE_INSTALL, target: service };
    if (policy.explain(query).restricted) continue;
    warnings.push({
      kind: 'unrestricted-name',
      rule,
      related: undefined,
      message:
        `${service} holds grants (${rule.pattern} at ${ruleLocation(rule)}) but is not a target of ${where}: ` +
        `a bundle installed as ${service} would inherit them; add it to [restrict] "${BUNDLE_INSTALL}"`,
    });
  }
  return warnings;
}

/** The one `unrestricted-install` warning, when some service may install under any name. */
function unrestrictedInstall(policy: Policy): readonly LintWarning[] {
  const grants: Rule[] = [];
  for (const service of policy.services) {
    if (service === '*') continue;
    // Untargeted, so only untargeted grants can decide it, and any deny that would apply wins.
    const decision = policy.decide({ subject: serviceIdFromName(service), action: BUNDLE_INSTALL });
    if (decision.allow && decision.rule !== undefined) grants.push(decision.rule);
  }
  const first = grants.reduce<Rule | undefined>((a, b) => (a === undefined || b.id < a.id ? b : a), undefined);
  if (first === undefined) return [];
  const others = grants.length > 1 ? ` (and ${grants.length - 1} other service(s))` : '';
  return [
    {
      kind: 'unrestricted-install',
      rule: first,
      related: undefined,
      message:
        `${first.service}${others} may install a bundle under any name and there is no [restrict] "${BUNDLE_INSTALL}": ` +
        `the bundle would inherit the grants of the service it is named after; ` +
        `add [restrict] "${BUNDLE_INSTALL}" listing every granted subject`,
    },
  ];
}
