import type { AuditOp, AuditReason, AuditRecord } from '@nexus/audit';
import type { DecisionReason, Policy, Rule } from '@nexus/sel';

/** How a PO op takes its action: a fixed capability, the frame's capability, or no query (VERSION). */
type ActionSource = { readonly fixed: string } | 'frame-cap' | 'none';

/** How a PO op takes its target: none, a service (name, or v3 id resolved through the policy), an image id. */
type TargetSource = 'none' | 'service' | 'image';

interface OpSpec {
  readonly action: ActionSource;
  readonly target: TargetSource;
}

/**
 * policyd's op → query table (services/policyd op-query-table.ts, RFC-0015 §5.3), restated here by
 * op name because a tool must not depend on a service. The replay tests pin it to policyd's
 * behaviour on a real journal (0 changes under the policy that wrote it).
 */
const OP_SPECS: ReadonlyMap<AuditOp, OpSpec> = new Map<AuditOp, OpSpec>([
  ['check', { action: { fixed: 'ipc.core' }, target: 'none' }],
  ['route', { action: { fixed: 'ipc.route' }, target: 'service' }],
  ['exec', { action: { fixed: 'proc.spawn' }, target: 'image' }],
  ['check_cap', { action: 'frame-cap', target: 'none' }],
  ['check_cap_delegated', { action: 'frame-cap', target: 'service' }],
  ['version', { action: 'none', target: 'none' }],
]);

/** The capability a sender needs to ask about a subject other than itself (RFC-0015 §5.4). */
const DELEGATE_CAPABILITY = 'policy.delegate';

/** How policyd spells a v3 target id its policy does not know. */
const UNKNOWN_ID_TARGET = /^0x[0-9a-f]{16}$/;

/** An EXEC target: the image id, a u8 in decimal. */
const IMAGE_TARGET = /^(0|[1-9][0-9]{0,2})$/;

const REASON_OF_DECISION: Readonly<Record<DecisionReason, AuditReason>> = {
  allow: 'policy-allow',
  'no-rule': 'no-rule',
  'deny-rule': 'deny-rule',
  malformed: 'malformed',
};

/**
 * Why a decision record cannot be re-decided. `not-decoded` and `unsupported-op`: the request never
 * reached the policy (a frame too broken to decode, an op policyd does not serve), so no candidate
 * can change its answer. The others leave the candidate's answer unknown: `malformed-record` (fields
 * that policyd cannot have written together), `ambiguous-target` (a `0x<16 hex>` target the
 * candidate knows by name: a v3 id under the candidate, a literal under v1/v2, and the record does
 * not say which), `no-decision` (policyd answered without a policy: audit or policy unavailable).
 */
export type UnreplayableKind = 'not-decoded' | 'unsupported-op' | 'malformed-record' | 'ambiguous-target' | 'no-decision';

/**
 * Whether an unreplayable kind leaves the candidate's answer unknown (so the replay cannot say
 * "nothing changes"), as opposed to a request the policy never saw.
 *
 * @example
 * isUnknownOutcome('not-decoded');      // false: the answer cannot depend on the policy
 * isUnknownOutcome('ambiguous-target'); // true
 */
export function isUnknownOutcome(kind: UnreplayableKind): boolean {
  return kind !== 'not-decoded' && kind !== 'unsupported-op';
}

/** The candidate's decision for one record, as policyd would have recorded it. */
export interface Redecision {
  readonly ok: true;
  readonly decision: 'allow' | 'deny';
  readonly reason: AuditReason;
  /** The subject the candidate decided for (the sender when delegation is refused). */
  readonly subjectId: bigint;
  /** The candidate's deciding rule, if any. */
  readonly rule: Rule | undefined;
}

/** A record the replay cannot re-decide, and why. */
export interface Unreplayable {
  readonly ok: false;
  readonly kind: UnreplayableKind;
  readonly detail: string;
}

/** What {@link redecide} returns. */
export type RedecideResult = Redecision | Unreplayable;

function unreplayable(kind: UnreplayableKind, detail: string): Unreplayable {
  return { ok: false, kind, detail };
}

/** Checks that the record's identity fields are a combination policyd writes. */
function identityProblem(r: AuditRecord, spec: OpSpec): string | undefined {
  if (spec.action === 'none') {
    if (r.claimedId !== undefined) return 'a VERSION request names no identity';
    return r.subjectId === r.senderId ? undefined : 'subject differs from sender without a claim';
  }
  if (r.claimedId === undefined) return `op ${r.op} always names an identity, the record has none`;
  if (r.claimedId === r.senderId) {
    if (r.reason === 'identity-mismatch') return 'identity-mismatch although the claim is the sender';
    return r.subjectId === r.senderId ? undefined : 'subject is neither the sender nor the claim';
  }
  const expected = r.reason === 'identity-mismatch' ? r.senderId : r.claimedId;
  return r.subjectId === expected ? undefined : 'subject does not follow from sender, claim and reason';
}

/** Checks the action and target against the op's query spec. */
function queryProblem(r: AuditRecord, spec: OpSpec): string | undefined {
  if (spec.action === 'none') {
    if (r.action !== '') return 'a VERSION request asks no capability';
  } else if (spec.action === 'frame-cap') {
    if (r.action === '') return `op ${r.op} asks a capability, the record has none`;
  } else if (r.action !== spec.action.fixed) {
    return `op ${r.op} asks ${spec.action.fixed}`;
  }
  if (spec.target === 'none' && r.target !== undefined) return `op ${r.op} has no target`;
  if (spec.target === 'image' && (r.target === undefined || !IMAGE_TARGET.test(r.target) || Number(r.target) > 255)) {
    return 'an EXEC target is an image id 0..255';
  }
  if (r.op === 'route' && r.target === undefined) return 'a ROUTE request names a target';
  if (r.decision === 'allow' && r.reason !== 'policy-allow') return `allow with reason ${r.reason}`;
  if (r.decision === 'deny' && r.reason === 'policy-allow') return 'deny with reason policy-allow';
  return undefined;
}

/**
 * Re-decides one audit record under `candidate` with policyd's op semantics
 * (services/policyd policy-frame-handler.ts): the query comes from the op (CHECK asks `ipc.core`,
 * ROUTE `ipc.route@target`, EXEC `proc.spawn@image`, CHECK_CAP and CHECK_CAP_DELEGATED the recorded
 * capability, VERSION nothing); a claim other than the sender needs `policy.delegate` for the sender
 * under the candidate, else the answer is DENY `identity-mismatch` for the sender; otherwise the
 * claimed subject is decided. A recorded `0x<16 hex>` target the candidate knows by name is
 * ambiguous (v3 id or v1/v2 literal) unless the record has no nonce (v1: a literal). Only decision
 * records are replayable; anything that is not exactly what policyd writes is {@link Unreplayable}.
 *
 * @example
 * redecide(record, candidate); // { ok: true, decision: 'deny', reason: 'no-rule', subjectId, rule: undefined }
 */
export function redecide(record: AuditRecord, candidate: Policy): RedecideResult {
  if (record.kind !== 'decision') return unreplayable('malformed-record', `a ${record.kind} record is not a decision`);
  if (record.reason === 'audit-unavailable' || record.reason === 'policy-unavailable' || record.reason === 'none') {
    return unreplayable('no-decision', `reason ${record.reason}: policyd answered without the policy`);
  }
  if (record.reason === 'too-large' || record.reason === 'unsupported') {
    return unreplayable(record.reason === 'unsupported' ? 'unsupported-op' : 'not-decoded', `reason ${record.reason}: the request never reached the policy`);
  }
  const spec = OP_SPECS.get(record.op);
  if (spec === undefined) return unreplayable('unsupported-op', `op ${record.op}: the request never reached the policy`);
  if (record.reason === 'malformed' && record.action === '' && record.claimedId === undefined) {
    return unreplayable('not-decoded', 'reason malformed: the frame did not decode, the policy was not asked');
  }
  const problem = queryProblem(record, spec) ?? identityProblem(record, spec);
  if (problem !== undefined) return unreplayable('malformed-record', problem);

  let target = record.target;
  if (spec.target === 'service' && target !== undefined && UNKNOWN_ID_TARGET.test(target)) {
    const name = candidate.nameOf(BigInt(target));
    if (name !== undefined) {
      if (record.nonce !== undefined) {
        return unreplayable('ambiguous-target', `target ${target} is ${name} under the candidate if the request was v3, a literal if v2`);
      }
      // v1 (no nonce) names targets as strings, so the literal is what the policy was asked.
    }
  }
  let subjectId = record.senderId;
  if (record.claimedId !== undefined && record.claimedId !== record.senderId) {
    if (!candidate.decide({ subject: record.senderId, action: DELEGATE_CAPABILITY }).allow) {
      return { ok: true, decision: 'deny', reason: 'identity-mismatch', subjectId: record.senderId, rule: undefined };
    }
    subjectId = record.claimedId;
  }
  if (spec.action === 'none') return { ok: true, decision: 'allow', reason: 'policy-allow', subjectId, rule: undefined };
  const decision = candidate.decide({ subject: subjectId, action: record.action, target });
  return {
    ok: true,
    decision: decision.allow ? 'allow' : 'deny',
    reason: REASON_OF_DECISION[decision.reason],
    subjectId,
    rule: decision.rule,
  };
}

/** One decision record whose decision or reason differs under the candidate. */
export interface ReplayChange {
  readonly seq: bigint;
  readonly line: number;
  readonly record: AuditRecord;
  readonly now: Redecision;
}

/** One record the replay could not re-decide. */
export interface ReplaySkip {
  readonly seq: bigint;
  readonly line: number;
  readonly record: AuditRecord;
  readonly kind: UnreplayableKind;
  readonly detail: string;
}

/** Changes that share subject, sender, action, target, recorded version and old and new outcome. */
export interface ChangeGroup {
  readonly subjectId: bigint;
  readonly senderId: bigint;
  readonly action: string;
  readonly target: string | undefined;
  readonly policyVersion: string;
  readonly old: { readonly decision: 'allow' | 'deny'; readonly reason: AuditReason; readonly rule: string | undefined };
  readonly now: { readonly decision: 'allow' | 'deny'; readonly reason: AuditReason; readonly subjectId: bigint; readonly rule: Rule | undefined };
  readonly count: number;
  readonly firstSeq: bigint;
  readonly lastSeq: bigint;
}

/** The outcome of replaying a journal's records under a candidate. */
export interface ReplayReport {
  /** Decision records seen. */
  readonly decisions: number;
  readonly unchanged: number;
  /** Every changed record, in journal order. */
  readonly changes: readonly ReplayChange[];
  /** The changes grouped, in order of each group's first seq. */
  readonly groups: readonly ChangeGroup[];
  /** Every decision record that could not be re-decided, in journal order. */
  readonly skipped: readonly ReplaySkip[];
  /** The policy versions the decision records were written under, in order of first appearance. */
  readonly versions: readonly string[];
}

function groupKey(c: ReplayChange): string {
  const r = c.record;
  const rule = c.now.rule === undefined ? '' : `${c.now.rule.id}`;
  return [r.subjectId, r.senderId, r.action, r.target ?? '\u0000', r.policyVersion, r.decision, r.reason, r.rule ?? '\u0000', c.now.decision, c.now.reason, c.now.subjectId, rule].join('\u0001');
}

/**
 * Replays every decision record of `entries` under `candidate` ({@link redecide} per record, so
 * records of several policy versions are each compared to their own recorded outcome). A record
 * changes when its decision or its reason differs. Control records (losses, sink switches,
 * checkpoints) are not decisions and are passed over; decision records that cannot be re-decided
 * are returned in `skipped`, never dropped.
 *
 * @example
 * const report = replayJournal(parseJournal(text).entries, candidate);
 * report.changes.length; // 0 under the policy that wrote the journal
 */
export function replayJournal(entries: readonly { readonly line: number; readonly record: AuditRecord }[], candidate: Policy): ReplayReport {
  let decisions = 0;
  let unchanged = 0;
  const changes: ReplayChange[] = [];
  const skipped: ReplaySkip[] = [];
  const versions: string[] = [];
  const groups = new Map<string, ChangeGroup>();
  for (const { line, record } of entries) {
    if (record.kind !== 'decision') continue;
    decisions++;
    if (!versions.includes(record.policyVersion)) versions.push(record.policyVersion);
    const result = redecide(record, candidate);
    if (!result.ok) {
      skipped.push({ seq: record.seq, line, record, kind: result.kind, detail: result.detail });
      continue;
    }
    if (result.decision === record.decision && result.reason === record.reason) {
      unchanged++;
      continue;
    }
    const change: ReplayChange = { seq: record.seq, line, record, now: result };
    changes.push(change);
    const key = groupKey(change);
    const group = groups.get(key);
    if (group !== undefined) {
      groups.set(key, { ...group, count: group.count + 1, lastSeq: record.seq });
      continue;
    }
    groups.set(key, {
      subjectId: record.subjectId,
      senderId: record.senderId,
      action: record.action,
      target: record.target,
      policyVersion: record.policyVersion,
      old: { decision: record.decision, reason: record.reason, rule: record.rule },
      now: { decision: result.decision, reason: result.reason, subjectId: result.subjectId, rule: result.rule },
      count: 1,
      firstSeq: record.seq,
      lastSeq: record.seq,
    });
  }
  return { decisions, unchanged, changes, groups: [...groups.values()], skipped, versions };
}
