import type { AuditRecord, JournalEntry } from '@nexus/audit';
import type { Policy } from '@nexus/sel';
import { hexU64 as formatServiceId } from '@nexus/ipc';

/**
 * Bounds of the aggregated timeline, so its size does not grow with the journal.
 *
 * @example
 * timeline.subjects.length <= TIMELINE_LIMITS.subjects + 1; // true (the +1 is the folded row)
 */
export const TIMELINE_LIMITS: {
  readonly bins: number;
  readonly subjects: number;
  readonly denyGroups: number;
  readonly bands: number;
  readonly versions: number;
} = Object.freeze({ bins: 160, subjects: 40, denyGroups: 100, bands: 200, versions: 16 });

/** One subject's row: its name (from the policy) or hex id, and allow/deny counts per bin. */
export interface TimelineSubject {
  readonly id: bigint | undefined;
  readonly label: string;
  /** Whether the policy knows the id's name (`label` is then the name). */
  readonly named: boolean;
  readonly allow: number;
  readonly deny: number;
  readonly allowBins: readonly number[];
  readonly denyBins: readonly number[];
}

/** A range of seqs drawn across every row: records on the UART, or a declared loss. */
export interface TimelineBand {
  readonly kind: 'uart' | 'audit-lost' | 'audit-evicted';
  readonly fromSeq: bigint;
  readonly toSeq: bigint;
  /** Records missing (losses) or records in the period (UART). */
  readonly count: bigint;
}

/** A checkpoint record: where it is, what it covers, whether it is sealed. */
export interface TimelineCheckpoint {
  readonly seq: bigint;
  readonly headSeq: bigint;
  readonly sealed: boolean;
}

/** A group of equal denies: one row of the deny table. */
export interface DenyGroup {
  readonly subject: string;
  readonly action: string;
  readonly target: string | undefined;
  readonly reason: string;
  readonly rule: string | undefined;
  readonly count: number;
  readonly firstSeq: bigint;
  readonly lastSeq: bigint;
}

/** A journal aggregated for the report: bounded whatever the journal's size. */
export interface AuditTimeline {
  readonly records: number;
  readonly decisions: number;
  readonly denies: number;
  readonly firstSeq: bigint;
  readonly lastSeq: bigint;
  readonly firstNs: bigint;
  readonly lastNs: bigint;
  readonly bins: number;
  readonly subjects: readonly TimelineSubject[];
  /** Subjects beyond `TIMELINE_LIMITS.subjects`, folded into the last row. */
  readonly otherSubjects: number;
  readonly bands: readonly TimelineBand[];
  readonly bandsOmitted: number;
  readonly checkpoints: readonly TimelineCheckpoint[];
  readonly checkpointsOmitted: number;
  readonly denyGroups: readonly DenyGroup[];
  readonly denyGroupsOmitted: number;
  /** Denies not counted in any group (past the bound on distinct groups). */
  readonly denyUngrouped: number;
  /** Policy versions the decisions were made under (at most `TIMELINE_LIMITS.versions`). */
  readonly versions: readonly string[];
}

interface SubjectCount {
  allow: number;
  deny: number;
  allowBins: number[];
  denyBins: number[];
}

/**
 * Aggregates journal entries for the report in one pass: decisions per subject in at most
 * `TIMELINE_LIMITS.bins` seq bins, the busiest `TIMELINE_LIMITS.subjects` subjects named by the
 * policy (`nameOf`), UART periods (from one `sink-switch` to uart to the next switch), declared
 * losses and evictions as bands, checkpoints, and denies grouped by subject, action, target,
 * reason and rule. Sizes are bounded, so 10⁵ records make the same size of report as 10³.
 *
 * @example
 * const timeline = aggregateTimeline(parseJournal(text).entries, policy);
 * timeline.subjects[0]?.label; // 'selftest-client'
 */
export function aggregateTimeline(entries: readonly JournalEntry[], policy: Policy | undefined): AuditTimeline {
  const records = entries.map((e) => e.record);
  const firstSeq = records[0]?.seq ?? 0n;
  const lastSeq = records.at(-1)?.seq ?? 0n;
  const span = lastSeq >= firstSeq ? lastSeq - firstSeq + 1n : 1n;
  const bins = Number(span < BigInt(TIMELINE_LIMITS.bins) ? span : BigInt(TIMELINE_LIMITS.bins));
  const binOf = (seq: bigint): number => {
    if (seq < firstSeq) return 0;
    const b = Number(((seq - firstSeq) * BigInt(bins)) / span);
    return Math.min(bins - 1, b);
  };
  // Bins only for the busiest subjects: a journal with 10^5 distinct subject ids must not cost
  // 10^5 bin arrays. A first pass counts, the second bins the top ones and folds the rest.
  const totals = new Map<bigint, number>();
  for (const r of records) if (r.kind === 'decision') totals.set(r.subjectId, (totals.get(r.subjectId) ?? 0) + 1);
  const top = new Set(
    [...totals]
      .sort(([, a], [, b]) => b - a)
      .slice(0, TIMELINE_LIMITS.subjects)
      .map(([id]) => id),
  );
  const otherSubjects = totals.size - top.size;
  const other: SubjectCount = { allow: 0, deny: 0, allowBins: new Array<number>(bins).fill(0), denyBins: new Array<number>(bins).fill(0) };
  const counts = new Map<bigint, SubjectCount>();
  const groups = new Map<string, DenyGroup & { count: number; lastSeq: bigint }>();
  const bands: TimelineBand[] = [];
  let bandsOmitted = 0;
  const checkpoints: TimelineCheckpoint[] = [];
  let checkpointsOmitted = 0;
  const versions = new Set<string>();
  let decisions = 0;
  let denies = 0;
  let uartFrom: bigint | undefined;
  let denyUngrouped = 0;
  const addBand = (band: TimelineBand): void => {
    if (bands.length < TIMELINE_LIMITS.bands) bands.push(band);
    else bandsOmitted++;
  };
  const nameOf = (id: bigint): string => policy?.nameOf(id) ?? formatServiceId(id);

  for (const r of records) {
    if (r.kind === 'sink-switch') {
      if (r.sink === 'uart' && uartFrom === undefined) uartFrom = r.seq;
      if (r.sink === 'primary' && uartFrom !== undefined) {
        addBand({ kind: 'uart', fromSeq: uartFrom, toSeq: r.seq, count: r.seq - uartFrom + 1n });
        uartFrom = undefined;
      }
      continue;
    }
    if ((r.kind === 'audit-lost' || r.kind === 'audit-evicted') && r.lost !== undefined) {
      addBand({ kind: r.kind, fromSeq: r.lost.fromSeq, toSeq: r.lost.toSeq, count: r.lost.count });
      continue;
    }
    if (r.kind === 'checkpoint' && r.checkpoint !== undefined) {
      if (checkpoints.length < TIMELINE_LIMITS.bands) {
        checkpoints.push({ seq: r.seq, headSeq: r.checkpoint.headSeq, sealed: r.checkpoint.signature !== undefined });
      } else {
        checkpointsOmitted++;
      }
      continue;
    }
    if (r.kind !== 'decision') continue;
    decisions++;
    if (versions.size < TIMELINE_LIMITS.versions) versions.add(r.policyVersion);
    let count = top.has(r.subjectId) ? counts.get(r.subjectId) : other;
    if (count === undefined) {
      count = { allow: 0, deny: 0, allowBins: new Array<number>(bins).fill(0), denyBins: new Array<number>(bins).fill(0) };
      counts.set(r.subjectId, count);
    }
    const bin = binOf(r.seq);
    if (r.decision === 'allow') {
      count.allow++;
      count.allowBins[bin] = (count.allowBins[bin] ?? 0) + 1;
    } else {
      denies++;
      count.deny++;
      count.denyBins[bin] = (count.denyBins[bin] ?? 0) + 1;
      if (!addDeny(groups, r, nameOf(r.subjectId))) denyUngrouped++;
    }
  }
  if (uartFrom !== undefined) addBand({ kind: 'uart', fromSeq: uartFrom, toSeq: lastSeq, count: lastSeq - uartFrom + 1n });

  const ranked = [...counts].sort(([, a], [, b]) => b.allow + b.deny - (a.allow + a.deny));
  const shown: TimelineSubject[] = ranked.map(([id, c]) => {
    const name = policy?.nameOf(id);
    return { id, label: name ?? formatServiceId(id), named: name !== undefined, ...c };
  });
  if (otherSubjects > 0) shown.push({ id: undefined, label: `${otherSubjects} other subject(s)`, named: false, ...other });
  const allGroups = [...groups.values()].sort((a, b) => b.count - a.count || (a.firstSeq < b.firstSeq ? -1 : 1));
  return {
    records: records.length,
    decisions,
    denies,
    firstSeq,
    lastSeq,
    firstNs: records[0]?.timestampNs ?? 0n,
    lastNs: records.at(-1)?.timestampNs ?? 0n,
    bins,
    subjects: shown,
    otherSubjects,
    bands,
    bandsOmitted,
    checkpoints,
    checkpointsOmitted,
    denyGroups: allGroups.slice(0, TIMELINE_LIMITS.denyGroups),
    denyGroupsOmitted: Math.max(0, allGroups.length - TIMELINE_LIMITS.denyGroups),
    denyUngrouped,
    versions: [...versions],
  };
}

/** Bounds the deny groups kept while counting (a hostile journal could make every deny unique). */
const MAX_GROUPS = 10_000;

function addDeny(groups: Map<string, DenyGroup & { count: number; lastSeq: bigint }>, r: AuditRecord, subject: string): boolean {
  const key = JSON.stringify([subject, r.action, r.target ?? null, r.reason, r.rule ?? null]);
  const group = groups.get(key);
  if (group !== undefined) {
    group.count++;
    group.lastSeq = r.seq;
    return true;
  }
  if (groups.size >= MAX_GROUPS) return false;
  groups.set(key, { subject, action: r.action, target: r.target, reason: r.reason, rule: r.rule, count: 1, firstSeq: r.seq, lastSeq: r.seq });
  return true;
}
