import { serviceIdFromName } from '@nexus/ipc';
import { normalizeName } from '../normalize-name.js';
import type { Holder, NearMisses, Policy, Query, RestrictedHint } from '../policy.js';
import { POLICY_LIMITS } from '../policy-limits.js';
import { wildcardPrefix } from '../wildcard.js';

/**
 * Lists what comes closest to allowing a query: the subject's own grants ranked by how close their
 * capability is to the action (shared dotted segments, then shared prefix, then edit distance), the
 * services the policy would allow the same action and target, and, when the subject holds a plain
 * grant that does not reach a restricted target, the targeted pattern it would need. Every answer
 * comes from `policy.decide`, so it cannot disagree with the evaluator. At most
 * `POLICY_LIMITS.maxNearMisses` of each kind. `Policy.explain` of a default deny carries this.
 *
 * @example
 * findNearMisses(policy, { subject: serviceIdFromName('selftest-client'), action: 'crypto.sign' }).holders;
 * // [{ service: 'keystored', rule: <base.toml: keystored crypto.sign> }]
 */
export function findNearMisses(policy: Policy, query: Query): NearMisses {
  const explained = policy.explain(query);
  return explained.nearMisses ?? nearMissesOf(policy, query, explained.restricted);
}

/**
 * `findNearMisses` given whether `[restrict]` covers the query, which `explain` has already worked
 * out: `explain` calls this, so this must not call `explain`.
 *
 * @internal
 */
export function nearMissesOf(policy: Policy, query: Query, restrictedTarget: boolean): NearMisses {
  const { action, target } = query;
  const subject = policy.nameOf(query.subject);
  const wanted = normalizeName(action, POLICY_LIMITS.maxNameBytes) ?? action.slice(0, POLICY_LIMITS.maxNameBytes);
  const grants = policy.rules
    .filter((rule) => rule.effect === 'allow' && rule.service === subject)
    .map((rule) => ({ rule, score: closeness(rule.capability, wanted) }))
    .sort((a, b) => b.score[0] - a.score[0] || b.score[1] - a.score[1] || a.score[2] - b.score[2] || a.rule.id - b.rule.id)
    .slice(0, POLICY_LIMITS.maxNearMisses)
    .map((entry) => entry.rule);

  const holders: Holder[] = [];
  let holdersTruncated = false;
  for (const service of policy.services) {
    if (service === subject || service === '*' || serviceIdFromName(service) === query.subject) continue;
    const decision = policy.decide({ subject: serviceIdFromName(service), action, target });
    if (!decision.allow || decision.rule === undefined) continue;
    if (holders.length === POLICY_LIMITS.maxNearMisses) {
      holdersTruncated = true;
      break;
    }
    holders.push({ service, rule: decision.rule });
  }

  let restricted: RestrictedHint | undefined;
  if (target !== undefined) {
    const untargeted = policy.decide({ subject: query.subject, action, target: undefined });
    const normalizedTarget = normalizeName(target, POLICY_LIMITS.maxTargetBytes);
    if (untargeted.allow && untargeted.rule !== undefined && normalizedTarget !== undefined && restrictedTarget) {
      restricted = {
        grant: untargeted.rule,
        restriction: policy.restricted.find((entry) => entry.targets.includes(normalizedTarget)),
        needed: `${wanted}@${normalizedTarget}`,
      };
    }
  }
  return Object.freeze({ grants: Object.freeze(grants), holders: Object.freeze(holders), holdersTruncated, restricted });
}

/** [shared dotted segments, shared leading characters, edit distance] of a capability to an action. */
function closeness(capability: string, action: string): readonly [number, number, number] {
  // A wildcard is compared by its base (`crypto` of `crypto.*`), the name a near action shares.
  const base = wildcardPrefix(capability)?.slice(0, -1) ?? capability;
  const a = base.split('.');
  const b = action.split('.');
  let segments = 0;
  while (segments < a.length && segments < b.length && a[segments] === b[segments]) segments++;
  let chars = 0;
  while (chars < base.length && chars < action.length && base[chars] === action[chars]) chars++;
  return [segments, chars, editDistance(base, action)];
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
