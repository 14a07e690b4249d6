import type { AuditOp, AuditRecord } from '@nexus/audit';
import { POLICY_LIMITS, type Policy, type Rule } from '@nexus/sel';
import { capabilityMatches, isExactCapability, normalizeName } from '@nexus/sel/analysis';
import { redecide } from './replay-journal.js';

/**
 * Why an observed default deny yields no grant:
 * - `deny-rule`: a `[deny]` rule of the policy (or now the ceiling's) covers the pair;
 * - `identity-mismatch`, `malformed`, `unreplayable`: the request is not one the policy can grant;
 * - `outside-ceiling`: the `--ceiling` policy does not allow the pair (for an untargeted grant: not
 *   for every target the grant would cover);
 * - `restricted-target`: the target is `[restrict]`ed and the ceiling does not grant it by name;
 * - `unknown-subject`: neither policy nor ceiling knows the subject's name (ids cannot be inverted);
 * - `unknown-target`: the target is not a name a rule can spell (a `0x<16 hex>` v3 id);
 * - `not-exact`: the capability is not an exact name (a `*`, an empty segment), so it would widen;
 * - `undeclared-capability`: the policy declares a vocabulary and the capability is not in it;
 * - `delegation`: `policy.delegate` changes how other requests are decided: granted by hand only.
 *
 * @example
 * const kind: LearnRefusalKind = 'outside-ceiling';
 */
export type LearnRefusalKind =
  | 'deny-rule'
  | 'identity-mismatch'
  | 'malformed'
  | 'unreplayable'
  | 'outside-ceiling'
  | 'restricted-target'
  | 'unknown-subject'
  | 'unknown-target'
  | 'not-exact'
  | 'undeclared-capability'
  | 'delegation';

/** How often a pair was observed, where, and through which ops. */
export interface Observed {
  readonly count: number;
  /** How many of them were learn-mode would-denies (answered ALLOW, `mode=learn`). */
  readonly wouldDeny: number;
  readonly firstSeq: bigint;
  readonly lastSeq: bigint;
  /** The ops that asked, sorted. */
  readonly ops: readonly AuditOp[];
  /** The seq of every observed record, in journal order. */
  readonly seqs: readonly bigint[];
}

/** One grant to propose: `service = ["pattern"]` with what it was learned from. */
export interface LearnedGrant extends Observed {
  readonly subjectId: bigint;
  /** The subject's normalized name (the `[allow]` key). */
  readonly service: string;
  readonly action: string;
  readonly target: string | undefined;
  /** `action` or `action@target`: exactly what was asked, never a wildcard. */
  readonly pattern: string;
}

/** The observed default denies of one (subject, action, target) the patch does not grant. */
export interface LearnPair extends Observed {
  readonly subjectId: bigint;
  /** The subject's name when policy or ceiling knows it. */
  readonly service: string | undefined;
  readonly action: string;
  readonly target: string | undefined;
}

/** Observed default denies of one pair that yield no grant, and why. */
export interface LearnRefusal extends LearnPair {
  readonly kind: LearnRefusalKind;
  readonly detail: string;
  /** The rule behind a `deny-rule` refusal (policy or ceiling). */
  readonly rule: Rule | undefined;
}

/** What {@link learnFromJournal} proposes. */
export interface LearnReport {
  /** Decision records seen. */
  readonly decisions: number;
  /** Decision records that are observed default denies (the input of learning). */
  readonly observed: number;
  /** The grants, sorted by service then pattern: one per distinct eligible pair. */
  readonly grants: readonly LearnedGrant[];
  /** The refused pairs, in order of first seq. */
  readonly refused: readonly LearnRefusal[];
  /** Observed default denies the policy allows by now (nothing to learn), in order of first seq. */
  readonly alreadyAllowed: readonly LearnPair[];
}

/** What a learn run is measured against. */
export interface LearnPolicies {
  /** The policy the patch is for (denies, restrictions, vocabulary, names). */
  readonly policy: Policy;
  /** The bounding policy: no grant may allow what it does not (absent: no bound but the policy's). */
  readonly ceiling?: Policy | undefined;
}

/** How the journal spells a target it has only as an id (`hexU64`): no rule can name it. */
const UNKNOWN_ID = /^0x[0-9a-f]{16}$/;
const DELEGATE_CAPABILITY = 'policy.delegate';

/**
 * Whether a decision record is an observed default deny: decided DENY `no-rule` by policyd, whether
 * answered DENY (enforce) or, with `mode=learn`, answered ALLOW as a would-deny.
 *
 * @example
 * isObservedDefaultDeny(record); // true for decision=deny reason=no-rule
 */
export function isObservedDefaultDeny(record: AuditRecord): boolean {
  return record.kind === 'decision' && record.decision === 'deny' && record.reason === 'no-rule';
}

function isDeclared(capability: string, policy: Policy): boolean {
  if (policy.capabilities.length === 0) return true;
  return policy.capabilities.some((d) => capabilityMatches(d.capability, capability));
}

/**
 * Whether a rule could spell `target` as it stands: the compiler would keep it unchanged (already
 * normalized, within the target limit), and it is not the `0x<16 hex>` spelling of an unknown id.
 */
function isNameableTarget(target: string): boolean {
  return normalizeName(target, POLICY_LIMITS.maxTargetBytes) === target && !UNKNOWN_ID.test(target);
}

interface Verdict {
  readonly kind: LearnRefusalKind;
  readonly detail: string;
  readonly rule?: Rule | undefined;
}

/**
 * Whether an untargeted grant `action` for `subject` stays inside the ceiling. Such a rule covers
 * every target the policy does not `[restrict]`, so the ceiling must allow the untargeted query and
 * must not deny, or restrict away, any target the grant would then reach: a targeted `[deny]` of
 * the ceiling the policy lacks, or a ceiling restriction the policy lacks that the ceiling does not
 * grant by name.
 */
function untargetedOutsideCeiling(ceiling: Policy, policy: Policy, subjectId: bigint, service: string, action: string): Verdict | undefined {
  const d = ceiling.decide({ subject: subjectId, action });
  if (!d.allow) return { kind: d.reason === 'deny-rule' ? 'deny-rule' : 'outside-ceiling', detail: d.reason === 'deny-rule' ? 'the ceiling denies it' : 'the ceiling does not grant it', rule: d.rule };
  for (const rule of ceiling.rules) {
    if (rule.effect !== 'deny' || rule.target === undefined || (rule.service !== service && rule.service !== '*')) continue;
    if (!capabilityMatches(rule.capability, action)) continue;
    if (policy.decide({ subject: subjectId, action, target: rule.target }).reason === 'deny-rule') continue;
    return { kind: 'outside-ceiling', detail: `an untargeted grant would reach ${action}@${rule.target}, which the ceiling denies`, rule };
  }
  for (const restriction of ceiling.restricted) {
    if (!capabilityMatches(restriction.capability, action)) continue;
    for (const target of restriction.targets) {
      if (policy.explain({ subject: subjectId, action, target }).restricted) continue;
      if (ceiling.decide({ subject: subjectId, action, target }).allow) continue;
      return { kind: 'outside-ceiling', detail: `an untargeted grant would reach ${action}@${target}, which the ceiling restricts` };
    }
  }
  return undefined;
}

/** Why the pair may not be granted, or `undefined` when it is eligible. */
function refusalOf(policies: LearnPolicies, subjectId: bigint, service: string, action: string, target: string | undefined): Verdict | undefined {
  const { policy, ceiling } = policies;
  if (!isExactCapability(action)) {
    return { kind: 'not-exact', detail: 'not an exact capability name: a grant of it would not be exactly what was asked' };
  }
  if (target !== undefined && !isNameableTarget(target)) {
    return { kind: 'unknown-target', detail: 'the target is not a name a rule can spell (an id the policy does not know)' };
  }
  if (action === DELEGATE_CAPABILITY) return { kind: 'delegation', detail: 'policy.delegate changes how other requests are decided: grant it by hand' };
  if (!isDeclared(action, policy)) return { kind: 'undeclared-capability', detail: 'the policy\'s [capabilities] vocabulary does not declare it' };
  const restricted = target !== undefined && policy.explain({ subject: subjectId, action, target }).restricted;
  if (ceiling === undefined) {
    return restricted ? { kind: 'restricted-target', detail: 'the target is [restrict]ed and no ceiling grants it by name' } : undefined;
  }
  if (target === undefined) return untargetedOutsideCeiling(ceiling, policy, subjectId, service, action);
  const d = ceiling.decide({ subject: subjectId, action, target });
  if (!d.allow) return { kind: d.reason === 'deny-rule' ? 'deny-rule' : 'outside-ceiling', detail: d.reason === 'deny-rule' ? 'the ceiling denies it' : 'the ceiling does not grant it', rule: d.rule };
  if (restricted && d.rule?.target !== target) return { kind: 'restricted-target', detail: 'the target is [restrict]ed and the ceiling grants it only untargeted, not by name' };
  return undefined;
}

interface Bucket {
  subjectId: bigint;
  service: string | undefined;
  action: string;
  target: string | undefined;
  seqs: bigint[];
  wouldDeny: number;
  ops: Set<AuditOp>;
  verdict: Verdict | undefined;
  allowed: boolean;
}

function observed(b: Bucket): Observed {
  return {
    count: b.seqs.length,
    wouldDeny: b.wouldDeny,
    firstSeq: b.seqs[0] ?? 0n,
    lastSeq: b.seqs.at(-1) ?? 0n,
    ops: [...b.ops].sort(),
    seqs: b.seqs,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Proposes the grants that would allow the observed default denies of a journal, and nothing more.
 * Each observed deny is re-decided under the policy with policyd's op semantics (`redecide`); one
 * still denied `no-rule` there is a pair (subject, action[@target]) for one exact grant, unless it
 * is refused ({@link LearnRefusalKind}): never a wildcard, never a pair a `[deny]` rule covers, never
 * beyond the ceiling, never a restricted target the ceiling does not grant by name. A record whose
 * target is an unknown v3 id is covered by the subject's untargeted grant of the same capability
 * when one is proposed (policyd asks the policy untargeted rules only for such a target), and
 * refused otherwise. Deterministic: grants sorted by service and pattern, refusals by first seq.
 *
 * @example
 * learnFromJournal(parseJournal(text).entries, { policy, ceiling }).grants.map((g) => `${g.service} ${g.pattern}`);
 * // ['selftest-client crypto.sign']
 */
export function learnFromJournal(entries: readonly { readonly record: AuditRecord }[], policies: LearnPolicies): LearnReport {
  const { policy, ceiling } = policies;
  let decisions = 0;
  let observedCount = 0;
  const buckets = new Map<string, Bucket>();
  for (const { record } of entries) {
    if (record.kind !== 'decision') continue;
    decisions++;
    if (!isObservedDefaultDeny(record)) continue;
    observedCount++;
    const now = redecide(record, policy);
    const subjectId = now.ok ? now.subjectId : record.subjectId;
    const key = `${subjectId}\u0001${record.action}\u0001${record.target ?? '\u0000'}\u0001${now.ok ? now.reason : `x${now.kind}`}`;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      const service = policy.nameOf(subjectId) ?? ceiling?.nameOf(subjectId);
      let verdict: Verdict | undefined;
      let allowed = false;
      if (!now.ok) verdict = { kind: 'unreplayable', detail: `${now.kind}: ${now.detail}` };
      else if (now.reason === 'policy-allow') allowed = true;
      else if (now.reason === 'deny-rule') verdict = { kind: 'deny-rule', detail: 'a [deny] rule of the policy covers it', rule: now.rule };
      else if (now.reason === 'identity-mismatch') verdict = { kind: 'identity-mismatch', detail: 'the sender may not ask for another subject under the policy' };
      else if (now.reason === 'malformed') verdict = { kind: 'malformed', detail: 'the policy cannot read the request' };
      else if (service === undefined) verdict = { kind: 'unknown-subject', detail: 'neither the policy nor the ceiling knows the subject\'s name' };
      else verdict = refusalOf(policies, subjectId, service, record.action, record.target);
      bucket = { subjectId, service, action: record.action, target: record.target, seqs: [], wouldDeny: 0, ops: new Set(), verdict, allowed };
      buckets.set(key, bucket);
    }
    bucket.seqs.push(record.seq);
    if (record.mode === 'learn') bucket.wouldDeny++;
    bucket.ops.add(record.op);
  }
  const all = [...buckets.values()];
  const eligible = all.filter((b) => !b.allowed && b.verdict === undefined);
  const untargeted = new Set(eligible.filter((b) => b.target === undefined).map((b) => `${b.subjectId}\u0001${b.action}`));
  const grants = new Map<string, Bucket>();
  const refused: LearnRefusal[] = [];
  const alreadyAllowed: LearnPair[] = [];
  for (const b of all) {
    const idTarget = b.target !== undefined && UNKNOWN_ID.test(b.target) && b.verdict?.kind === 'unknown-target';
    if (idTarget && untargeted.has(`${b.subjectId}\u0001${b.action}`)) {
      // Covered by the untargeted grant of the same capability: count it there.
      b.target = undefined;
      b.verdict = undefined;
    }
    if (b.allowed || b.verdict !== undefined) {
      const base = { ...observed(b), subjectId: b.subjectId, service: b.service, action: b.action, target: b.target };
      if (b.allowed) alreadyAllowed.push(base);
      else if (b.verdict !== undefined) refused.push({ ...base, kind: b.verdict.kind, detail: b.verdict.detail, rule: b.verdict.rule });
      continue;
    }
    const key = `${b.service}\u0001${b.action}\u0001${b.target ?? ''}`;
    const seen = grants.get(key);
    if (seen === undefined) grants.set(key, { ...b, seqs: [...b.seqs], ops: new Set(b.ops) });
    else {
      seen.seqs.push(...b.seqs);
      seen.wouldDeny += b.wouldDeny;
      for (const op of b.ops) seen.ops.add(op);
    }
  }
  const bySeq = (a: Observed, b: Observed): number => (a.firstSeq < b.firstSeq ? -1 : a.firstSeq > b.firstSeq ? 1 : 0);
  return {
    decisions,
    observed: observedCount,
    grants: [...grants.values()]
      .map((b): LearnedGrant => {
        const seqs = [...b.seqs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        const pattern = b.target === undefined ? b.action : `${b.action}@${b.target}`;
        return { ...observed({ ...b, seqs }), subjectId: b.subjectId, service: b.service ?? '', action: b.action, target: b.target, pattern };
      })
      .sort((a, b) => compare(a.service, b.service) || compare(a.pattern, b.pattern)),
    refused: refused.sort(bySeq),
    alreadyAllowed: alreadyAllowed.sort(bySeq),
  };
}
