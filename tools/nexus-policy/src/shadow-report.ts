import type { AuditReason, AuditRecord } from '@nexus/audit';

/** Which way a shadow decision diverges from the recorded one. */
export type ShadowDirection = 'allow->deny' | 'deny->allow' | 'reason';

/** Diverging records that share the recorded rule, subject, query, outcomes and candidate. */
export interface ShadowGroup {
  readonly direction: ShadowDirection;
  /** The active policy's deciding rule as recorded (`file:line`), if any. */
  readonly rule: string | undefined;
  readonly subjectId: bigint;
  readonly senderId: bigint;
  readonly action: string;
  readonly target: string | undefined;
  readonly recorded: { readonly decision: 'allow' | 'deny'; readonly reason: AuditReason };
  readonly shadow: { readonly decision: 'allow' | 'deny'; readonly reason: AuditReason };
  readonly candidateVersion: string;
  readonly count: number;
  readonly firstSeq: bigint;
  readonly lastSeq: bigint;
}

/** What {@link shadowReport} finds in a journal. */
export interface ShadowReport {
  readonly decisions: number;
  /** Decision records that carry a shadow decision. */
  readonly divergent: number;
  /** Candidate versions named by the shadow decisions, in order of first appearance. */
  readonly candidates: readonly string[];
  /** Groups by direction (allow->deny, deny->allow, reason), then recorded rule, then first seq. */
  readonly groups: readonly ShadowGroup[];
}

const ORDER: Readonly<Record<ShadowDirection, number>> = { 'allow->deny': 0, 'deny->allow': 1, reason: 2 };

function directionOf(r: AuditRecord & { readonly shadow: NonNullable<AuditRecord['shadow']> }): ShadowDirection {
  if (r.decision === r.shadow.decision) return 'reason';
  return r.decision === 'allow' ? 'allow->deny' : 'deny->allow';
}

/**
 * The divergences a shadow evaluation recorded: every decision record with a shadow decision,
 * grouped per recorded rule and question (subject, sender, action@target), recorded → shadow
 * outcome and candidate version, with count and first/last seq. policyd writes a shadow decision
 * only where it differs, so a record without one agreed (or was decided without a shadow).
 *
 * @example
 * shadowReport(parseJournal(text).entries).groups[0]; // { direction: 'allow->deny', rule: 'authority.toml:17', count: 3, firstSeq: 5n, ... }
 */
export function shadowReport(entries: readonly { readonly record: AuditRecord }[]): ShadowReport {
  let decisions = 0;
  let divergent = 0;
  const candidates: string[] = [];
  const groups = new Map<string, ShadowGroup>();
  for (const { record } of entries) {
    if (record.kind !== 'decision') continue;
    decisions++;
    const shadow = record.shadow;
    if (shadow === undefined) continue;
    divergent++;
    if (!candidates.includes(shadow.policyVersion)) candidates.push(shadow.policyVersion);
    const direction = directionOf({ ...record, shadow });
    const key = [direction, record.rule ?? '\u0000', record.subjectId, record.senderId, record.action, record.target ?? '\u0000', record.decision, record.reason, shadow.decision, shadow.reason, shadow.policyVersion].join('\u0001');
    const seen = groups.get(key);
    if (seen !== undefined) {
      groups.set(key, { ...seen, count: seen.count + 1, lastSeq: record.seq });
      continue;
    }
    groups.set(key, {
      direction, rule: record.rule, subjectId: record.subjectId, senderId: record.senderId, action: record.action, target: record.target,
      recorded: { decision: record.decision, reason: record.reason }, shadow: { decision: shadow.decision, reason: shadow.reason },
      candidateVersion: shadow.policyVersion, count: 1, firstSeq: record.seq, lastSeq: record.seq,
    });
  }
  const ruleKey = (g: ShadowGroup): string => g.rule ?? '\uffff';
  const sorted = [...groups.values()].sort(
    (a, b) => ORDER[a.direction] - ORDER[b.direction] || (ruleKey(a) < ruleKey(b) ? -1 : ruleKey(a) > ruleKey(b) ? 1 : 0) || (a.firstSeq < b.firstSeq ? -1 : a.firstSeq > b.firstSeq ? 1 : 0),
  );
  return { decisions, divergent, candidates, groups: sorted };
}
