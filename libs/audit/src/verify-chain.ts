import { timingSafeEqual } from 'node:crypto';
import { AuditError } from './audit-error.js';
import type { AuditRecord } from './audit-record.js';
import type { Checkpoint } from './checkpoint.js';
import { hashRecord } from './hash-record.js';

/**
 * How a chain breaks, at its first break.
 *
 * @example
 * const kind: ChainBreakKind = 'gap';
 */
export type ChainBreakKind =
  | 'gap'
  | 'prev-mismatch'
  | 'hash-mismatch'
  | 'reordered'
  | 'truncated'
  | 'checkpoint-mismatch'
  | 'duplicate';

/**
 * The result of `verifyChain`: the verified span, or the first break.
 *
 * @example
 * const result: VerifyResult = verifyChain(records); if (!result.ok) console.log(result.kind, result.seq);
 */
export type VerifyResult =
  | { readonly ok: true; readonly count: number; readonly lastSeq: bigint; readonly lastHash: Uint8Array }
  | { readonly ok: false; readonly index: number; readonly seq: bigint; readonly kind: ChainBreakKind; readonly detail: string };

const ZERO_HASH = new Uint8Array(32);

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/**
 * Verifies records in seq order and returns the FIRST break. Rules, per record:
 * seq strictly increasing (`duplicate` for a repeated seq, `reordered` for a smaller one); a missing
 * seq must lie in the range of an `audit-lost` record later in the list (else `gap`); `prevHash` must
 * equal the previous record's hash (or the declared `lastHash` when the previous seq is the end of a
 * declared loss; 32 zero bytes at seq 1) (`prev-mismatch`); `hash` must equal
 * `hashRecord(prevHash, record)` (`hash-mismatch`); a record whose fields fail validation is a
 * `hash-mismatch` too. Without a checkpoint the list may be any window of a journal. With one, the
 * list must start at seq 1 or after a declared loss (`truncated`), contain the checkpoint's seq with its hash, share its
 * policy version, miss exactly `dropped` seqs (all declared) and end exactly there (`checkpoint-mismatch`
 * for a record past it, `truncated` for an end before it): then any modified, deleted, inserted,
 * reordered, duplicated or trailing-truncated record is detected.
 *
 * @example
 * verifyChain(records, chain.checkpoint()); // { ok: true, count: 3, lastSeq: 3n, lastHash }
 */
export function verifyChain(records: readonly AuditRecord[], checkpoint?: Checkpoint): VerifyResult {
  const brk = (index: number, seq: bigint, kind: ChainBreakKind, detail: string): VerifyResult => ({ ok: false, index, seq, kind, detail });
  // Declared losses as disjoint sorted intervals (validation guarantees a declaration covers only
  // earlier seqs), so each coverage question is a binary search: verification stays O(n log n).
  const ranges: [bigint, bigint][] = [];
  const lastHashAt = new Map<bigint, Uint8Array>();
  for (const r of records) {
    if (r.kind !== 'audit-lost' || r.lost === undefined || r.lost.toSeq >= r.seq || r.lost.fromSeq > r.lost.toSeq) continue;
    ranges.push([r.lost.fromSeq, r.lost.toSeq]);
    if (!lastHashAt.has(r.lost.toSeq)) lastHashAt.set(r.lost.toSeq, r.lost.lastHash);
  }
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: [bigint, bigint][] = [];
  for (const [from, to] of ranges) {
    const last = merged.at(-1);
    if (last !== undefined && from <= last[1] + 1n) last[1] = to > last[1] ? to : last[1];
    else merged.push([from, to]);
  }
  // The first seq in from..to that no declaration covers.
  const uncovered = (from: bigint, to: bigint): bigint | undefined => {
    if (from > to) return undefined;
    let lo = 0;
    let hi = merged.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = merged[mid] as [bigint, bigint];
      if (from < a) hi = mid - 1;
      else if (from > b) lo = mid + 1;
      else return b >= to ? undefined : b + 1n;
    }
    return from;
  };

  let checkpointSeen = false;
  for (let index = 0; index < records.length; index++) {
    const r = records[index] as AuditRecord;
    const prev = records[index - 1];
    if (prev === undefined && checkpoint !== undefined && r.seq > 1n) {
      const missing = uncovered(1n, r.seq - 1n);
      if (missing !== undefined) return brk(0, r.seq, 'truncated', `with a checkpoint the records start at seq 1; seq ${missing} is missing`);
    }
    if (prev !== undefined) {
      if (r.seq === prev.seq) return brk(index, r.seq, 'duplicate', `seq ${r.seq} appears twice`);
      if (r.seq < prev.seq) return brk(index, r.seq, 'reordered', `seq ${r.seq} after seq ${prev.seq}`);
      const missing = uncovered(prev.seq + 1n, r.seq - 1n);
      if (missing !== undefined) return brk(index, r.seq, 'gap', `seq ${missing} is missing and no audit-lost record declares it`);
    }
    let expectedPrev: Uint8Array | undefined;
    if (r.seq === 1n) expectedPrev = ZERO_HASH;
    else if (prev !== undefined && prev.seq === r.seq - 1n) expectedPrev = prev.hash;
    else expectedPrev = lastHashAt.get(r.seq - 1n);
    if (expectedPrev !== undefined && !same(r.prevHash, expectedPrev)) {
      return brk(index, r.seq, 'prev-mismatch', `prevHash of seq ${r.seq} does not match the hash before it`);
    }
    let hash: Uint8Array;
    try {
      hash = hashRecord(r.prevHash, r);
    } catch (cause) {
      if (!(cause instanceof AuditError)) throw cause;
      return brk(index, r.seq, 'hash-mismatch', `record fields are invalid: ${cause.message}`);
    }
    if (!(r.hash instanceof Uint8Array) || !same(r.hash, hash)) {
      return brk(index, r.seq, 'hash-mismatch', `hash of seq ${r.seq} does not match its content`);
    }
    if (checkpoint !== undefined) {
      if (r.policyVersion !== checkpoint.policyVersion) {
        return brk(index, r.seq, 'checkpoint-mismatch', 'policy version differs from the checkpoint');
      }
      if (r.seq === checkpoint.seq) {
        checkpointSeen = true;
        if (!same(r.hash, checkpoint.hash)) return brk(index, r.seq, 'checkpoint-mismatch', `hash at seq ${r.seq} differs from the checkpoint`);
        const missing = r.seq - BigInt(index + 1);
        if (missing !== checkpoint.dropped) {
          return brk(index, r.seq, 'checkpoint-mismatch', `${missing} record(s) missing, the checkpoint says ${checkpoint.dropped} lost`);
        }
      }
    }
    if (checkpoint !== undefined && r.seq > checkpoint.seq) {
      // Records past the checkpoint are indistinguishable from inserted ones, so they are refused.
      const detail = checkpointSeen ? `record past checkpoint seq ${checkpoint.seq}` : `no record at checkpoint seq ${checkpoint.seq}`;
      return brk(index, r.seq, 'checkpoint-mismatch', detail);
    }
  }
  const last = records.at(-1);
  if (checkpoint !== undefined && !checkpointSeen && checkpoint.seq > 0n) {
    return brk(records.length, last?.seq ?? 0n, 'truncated', `records end before checkpoint seq ${checkpoint.seq}`);
  }
  return { ok: true, count: records.length, lastSeq: last?.seq ?? 0n, lastHash: last?.hash ?? ZERO_HASH };
}
