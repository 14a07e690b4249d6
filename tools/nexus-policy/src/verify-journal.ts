import { verifyChain, type AuditRecord, type ChainBreakKind } from '@nexus/audit';
import type { Journal } from './journal.js';

/**
 * What `audit verify` concluded about a journal. `ok` is the only outcome that proves something:
 * `broken` names the first break; `unverified` says why nothing could be proved (no records, or no
 * checkpoint so a cut tail is undetectable). An `ok` without a checkpoint (only with
 * `allowNoCheckpoint`) carries the warning that the tail is unproved.
 *
 * @example
 * const verdict: JournalVerdict = verifyJournal(journal, { allowNoCheckpoint: false });
 * if (verdict.status === 'broken') console.log(verdict.kind, verdict.seq);
 */
export type JournalVerdict =
  | {
      readonly status: 'ok';
      readonly count: number;
      readonly lastSeq: bigint;
      readonly lastHash: Uint8Array;
      readonly checkpointSeq: bigint | undefined;
      readonly warning: string | undefined;
    }
  | { readonly status: 'broken'; readonly index: number; readonly seq: bigint; readonly kind: ChainBreakKind; readonly detail: string }
  | { readonly status: 'unverified'; readonly reason: 'empty' | 'no-checkpoint'; readonly count: number; readonly detail: string };

/** How strict `verifyJournal` is. */
export interface VerifyJournalOptions {
  /** Accept a journal without a checkpoint as `ok` (with a warning) when its window verifies from the head. */
  readonly allowNoCheckpoint: boolean;
}

const NO_CHECKPOINT = 'no checkpoint, truncation cannot be detected';

/**
 * The `audit verify` rules on top of `verifyChain`: with a checkpoint, the chain must run from seq 1
 * (or a declared loss) to exactly the checkpoint. Without one, a cut tail is undetectable, so the
 * journal is `unverified` unless `allowNoCheckpoint`, and even then its first record must be seq 1 or
 * follow a declared loss (else `truncated` at the head). A journal without records proves nothing
 * and is never `ok`.
 *
 * @example
 * verifyJournal(readJournal(text), { allowNoCheckpoint: false }); // { status: 'ok', count: 6, ... } with a checkpoint
 * verifyJournal({ records: [], checkpoint: undefined }, { allowNoCheckpoint: true }).status; // 'unverified'
 */
export function verifyJournal(journal: Journal, options: VerifyJournalOptions): JournalVerdict {
  const { records, checkpoint } = journal;
  if (checkpoint === undefined) {
    const missing = missingAtHead(records);
    if (missing !== undefined) {
      const seq = records[0]?.seq ?? 0n;
      return { status: 'broken', index: 0, seq, kind: 'truncated', detail: `the records start at seq ${seq}; seq ${missing} is missing and no audit-lost record declares it` };
    }
  }
  const result = verifyChain(records, checkpoint);
  if (!result.ok) return { status: 'broken', index: result.index, seq: result.seq, kind: result.kind, detail: result.detail };
  if (records.length === 0) return { status: 'unverified', reason: 'empty', count: 0, detail: 'the journal has no records' };
  if (checkpoint === undefined && !options.allowNoCheckpoint) {
    return { status: 'unverified', reason: 'no-checkpoint', count: result.count, detail: NO_CHECKPOINT };
  }
  return {
    status: 'ok',
    count: result.count,
    lastSeq: result.lastSeq,
    lastHash: result.lastHash,
    checkpointSeq: checkpoint?.seq,
    warning: checkpoint === undefined ? NO_CHECKPOINT : undefined,
  };
}

/**
 * The first seq before the first record that no `audit-lost` record of the list declares, or
 * `undefined` when the list starts at seq 1 or right after declared losses (or is empty).
 */
function missingAtHead(records: readonly AuditRecord[]): bigint | undefined {
  const first = records[0];
  if (first === undefined || first.seq <= 1n) return undefined;
  // Only a declaration of seqs before its own record counts, as in verifyChain.
  const declared = records
    .flatMap((r) => (r.kind === 'audit-lost' && r.lost !== undefined && r.lost.fromSeq <= r.lost.toSeq && r.lost.toSeq < r.seq ? [r.lost] : []))
    .sort((a, b) => (a.fromSeq < b.fromSeq ? -1 : a.fromSeq > b.fromSeq ? 1 : 0));
  let next = 1n;
  for (const { fromSeq, toSeq } of declared) {
    if (fromSeq > next) break;
    if (toSeq >= next) next = toSeq + 1n;
  }
  return next >= first.seq ? undefined : next;
}
