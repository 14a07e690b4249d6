import { serviceIdFromName, type Policy, type Restriction, type Rule } from '@nexus/sel';

/** How many grants of each kind a near-miss report lists at most. */
export const NEAR_MISS_LIMIT = 8;

/** A grant another service holds for the queried action (and target). */
export interface Holder {
  readonly service: string;
  readonly rule: Rule;
}

/** Why a plain grant of the subject does not reach the queried target. */
export interface RestrictedHint {
  /** The subject's untargeted grant that would allow the action without the target. */
  readonly grant: Rule;
  /** The `[restrict]` entry that lists the target, when one can be named. */
  readonly restriction: Restriction | undefined;
  /** The pattern a grant needs to name to cover the target, e.g. `ipc.route@execd`. */
  readonly needed: string;
}

/** The closest things to an allow for a query that nothing allows (a default deny). */
export interface NearMisses {
  /** The subject's own grants, closest capability name first. */
  readonly grants: readonly Rule[];
  /** Other services that would be allowed the same action and target, with the deciding rule. */
  readonly holders: readonly Holder[];
  readonly holdersTruncated: boolean;
  readonly restricted: RestrictedHint | undefined;
}

/**
 * Lists what comes closest to allowing a query: the subject's own grants ranked by how close their
 * capability is to the action (shared dotted segments, then shared prefix, then edit distance), the
 * services the policy would allow the same action and target, and, when the subject holds a plain
 * grant that does not reach a restricted target, the targeted pattern it would need. Every answer
 * comes from `policy.decide`, so it cannot disagree with the evaluator.
 *
 * @example
 * findNearMisses(policy, 'selftest-client', 'crypto.sign', undefined).holders;
 * // [{ service: 'keystored', rule: <base.toml: keystored crypto.sign> }]
 */
export function findNearMisses(policy: Policy, subject: string, action: string, target: string | undefined): NearMisses {
  const wanted = action.trim().toLowerCase();
  const grants = policy.rules
    .filter((rule) => rule.effect === 'allow' && rule.service === subject)
    .map((rule) => ({ rule, score: closeness(rule.capability, wanted) }))
    .sort((a, b) => b.score[0] - a.score[0] || b.score[1] - a.score[1] || a.score[2] - b.score[2] || a.rule.id - b.rule.id)
    .slice(0, NEAR_MISS_LIMIT)
    .map((entry) => entry.rule);

  const holders: Holder[] = [];
  let holdersTruncated = false;
  for (const service of policy.services) {
    if (service === subject || service === '*') continue;
    const decision = policy.decide({ subject: serviceIdFromName(service), action, target });
    if (!decision.allow || decision.rule === undefined) continue;
    if (holders.length === NEAR_MISS_LIMIT) {
      holdersTruncated = true;
      break;
    }
    holders.push({ service, rule: decision.rule });
  }

  let restricted: RestrictedHint | undefined;
  if (target !== undefined) {
    const untargeted = policy.decide({ subject: serviceIdFromName(subject), action, target: undefined });
    const explained = policy.explain({ subject: serviceIdFromName(subject), action, target });
    if (untargeted.allow && untargeted.rule !== undefined && explained.restricted) {
      const normalizedTarget = explained.target ?? target;
      restricted = {
        grant: untargeted.rule,
        restriction: policy.restricted.find((entry) => entry.targets.includes(normalizedTarget)),
        needed: `${explained.action ?? wanted}@${normalizedTarget}`,
      };
    }
  }
  return { grants, holders, holdersTruncated, restricted };
}

/** [shared dotted segments, shared leading characters, edit distance] of a capability to an action. */
function closeness(capability: string, action: string): readonly [number, number, number] {
  const base = capability.endsWith('.*') ? capability.slice(0, -2) : capability;
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
