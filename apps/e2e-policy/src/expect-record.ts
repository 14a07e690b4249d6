import type { AuditOp, AuditReason, AuditRecord } from '@nexus/audit';

/**
 * The one audit record a request must have produced. With `nonce` the record is found by nonce and
 * sender (the services' own policy clients use other nonces); without it, by subject, sender, op,
 * action and target inside the seq window the caller passes (one request can cause two questions
 * that differ only in their target, e.g. bundlemgrd's untargeted and named `bundle.install`).
 *
 * @example
 * const want: ExpectedRecord = { subject, sender: subject, op: 'check_cap_delegated', action: 'audit.read', decision: 'allow', reason: 'policy-allow', policyVersion };
 */
export interface ExpectedRecord {
  readonly nonce?: number;
  readonly subject: bigint;
  readonly sender: bigint;
  readonly claimed?: bigint;
  readonly op: AuditOp;
  readonly action: string;
  readonly target?: string;
  readonly decision: 'allow' | 'deny';
  readonly reason: AuditReason;
  readonly policyVersion: string;
  /** `learn` for a subject in learn mode; absent (enforce) otherwise, and then the record must have none. */
  readonly mode?: 'learn';
}

function matches(record: AuditRecord, want: ExpectedRecord): boolean {
  if (record.kind !== 'decision' || record.senderId !== want.sender) return false;
  if (want.nonce !== undefined) return record.nonce === BigInt(want.nonce);
  return record.subjectId === want.subject && record.op === want.op && record.action === want.action && record.target === want.target;
}

/**
 * Finds the ONE record of a request among `window` and checks every expected field. Returns
 * `undefined` when it is right, else a one-line cause naming what was observed (never a reason or
 * a rule, which stay in the audit trail).
 *
 * @example
 * expectRecord(read.fresh, want); // undefined, or e.g. 'no audit record for nonce'
 */
export function expectRecord(window: readonly AuditRecord[], want: ExpectedRecord): string | undefined {
  const found = window.filter((r) => matches(r, want));
  const what = want.nonce === undefined ? 'for the request in the seq window' : 'for nonce';
  if (found.length === 0) return `no audit record ${what}`;
  if (found.length > 1) return `${found.length} audit records ${what}`;
  const r = found[0]!;
  if (r.subjectId !== want.subject) return 'audit record has the wrong subject';
  if (r.op !== want.op) return 'audit record has the wrong op';
  if (r.action !== want.action) return 'audit record has the wrong action';
  if (r.target !== want.target) return 'audit record has the wrong target';
  if (r.claimedId !== want.claimed) return 'audit record has the wrong claimed id';
  if (r.decision !== want.decision) return `audit record says ${r.decision}`;
  if (r.reason !== want.reason) return 'audit record has an unexpected reason';
  if (r.policyVersion !== want.policyVersion) return 'audit record has another policy version';
  if (r.mode !== want.mode) return `audit record has mode ${r.mode ?? 'enforce'}`;
  return undefined;
}
