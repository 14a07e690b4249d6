import { AuditError } from './audit-error.js';
import type { AuditLost, AuditRecord } from './audit-record.js';
import type { Checkpoint } from './checkpoint.js';
import { hashRecord } from './hash-record.js';
import { sameBytes } from './same-bytes.js';
import { ZERO_HASH } from './zero-hash.js';

/**
 * How a chain breaks, at its first break. `gap`: a missing seq no run declares; `prev-mismatch`: a
 * link differs (a record's `prevHash`, or the hash a run is bridged to); `hash-mismatch`: a hash
 * differs from the content; `reorder` / `duplicate`: seqs out of order or repeated; `truncated`:
 * the records do not start at seq 1 (or a declared run) or end before the trust anchor;
 * `checkpoint-mismatch`: a record contradicts the (unsigned) checkpoint given; `lost-range`: a
 * run that is not exact (count, overlap) or a record that lies inside one; `bad-record`: a record
 * whose fields are invalid. The seal classes (`bad-seal`, `foreign-boot`, `seal-gap`) are
 * `verifyJournal`'s.
 *
 * @example
 * const kind: ChainBreakKind = 'gap';
 */
export type ChainBreakKind =
  | 'gap'
  | 'prev-mismatch'
  | 'hash-mismatch'
  | 'reorder'
  | 'duplicate'
  | 'truncated'
  | 'checkpoint-mismatch'
  | 'lost-range'
  | 'bad-record';

/**
 * The result of `verifyChain`: the verified span, or the first break (`index` into the list).
 *
 * @example
 * const result: VerifyResult = verifyChain(records); if (!result.ok) console.log(result.kind, result.seq);
 */
export type VerifyResult =
  | { readonly ok: true; readonly count: number; readonly lastSeq: bigint; readonly lastHash: Uint8Array }
  | { readonly ok: false; readonly index: number; readonly seq: bigint; readonly kind: ChainBreakKind; readonly detail: string };

/**
 * Options of `verifyChain`.
 *
 * @example
 * verifyChain(records, undefined, { fromStart: true });
 */
export interface VerifyChainOptions {
  /** The list must start at seq 1 or right after declared runs (`truncated` otherwise); implied by a checkpoint. */
  readonly fromStart?: boolean;
}


interface Run {
  readonly index: number;
  readonly seq: bigint;
  readonly lost: AuditLost;
}

function isRunRecord(r: AuditRecord): boolean {
  return r.kind === 'audit-lost' || r.kind === 'audit-evicted';
}

/** The declared runs of a list, sorted by `fromSeq`, with the first break found among them. */
class Runs {
  readonly sorted: Run[] = [];
  /** `toSeq` → the run ending there (its `lastHash` is the hash at that seq). */
  readonly byEnd = new Map<bigint, Run>();
  /** `fromSeq − 1` → the runs bridged to the record at that seq. */
  readonly byBefore = new Map<bigint, Run[]>();
  /** Breaks found in the runs themselves, by list index. */
  readonly breaks = new Map<number, { kind: ChainBreakKind; detail: string }>();

  constructor(records: readonly AuditRecord[]) {
    records.forEach((r, index) => {
      if (!isRunRecord(r)) return;
      const l = r.lost;
      if (l === undefined || typeof l.fromSeq !== 'bigint' || typeof l.toSeq !== 'bigint' || typeof l.count !== 'bigint') return;
      if (l.fromSeq < 1n || l.fromSeq > l.toSeq || l.toSeq >= r.seq) {
        this.breaks.set(index, { kind: 'lost-range', detail: `the run ${l.fromSeq}..${l.toSeq} of seq ${r.seq} is not a range of earlier seqs` });
        return;
      }
      if (l.count !== l.toSeq - l.fromSeq + 1n) {
        // Still a range: it explains its gap, so the break is reported at the declaration itself.
        this.breaks.set(index, { kind: 'lost-range', detail: `the run ${l.fromSeq}..${l.toSeq} of seq ${r.seq} counts ${l.count}, not ${l.toSeq - l.fromSeq + 1n}` });
      }
      this.sorted.push({ index, seq: r.seq, lost: l });
    });
    this.sorted.sort((a, b) => (a.lost.fromSeq < b.lost.fromSeq ? -1 : a.lost.fromSeq > b.lost.fromSeq ? 1 : a.index - b.index));
    for (let i = 1; i < this.sorted.length; i++) {
      const [a, b] = [this.sorted[i - 1] as Run, this.sorted[i] as Run];
      if (b.lost.fromSeq <= a.lost.toSeq) {
        const later = a.index > b.index ? a : b;
        const earlier = later === a ? b : a;
        if (!this.breaks.has(later.index)) {
          this.breaks.set(later.index, {
            kind: 'lost-range',
            detail: `the run ${later.lost.fromSeq}..${later.lost.toSeq} of seq ${later.seq} overlaps the run of seq ${earlier.seq}`,
          });
        }
      }
    }
    for (const run of this.sorted) {
      if (this.breaks.has(run.index)) continue;
      if (!this.byEnd.has(run.lost.toSeq)) this.byEnd.set(run.lost.toSeq, run);
      const before = run.lost.fromSeq - 1n;
      const list = this.byBefore.get(before);
      if (list === undefined) this.byBefore.set(before, [run]);
      else list.push(run);
    }
  }

  /** The run containing `seq`, by binary search over the sorted (and, once checked, disjoint) runs. */
  containing(seq: bigint): Run | undefined {
    let lo = 0;
    let hi = this.sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const run = this.sorted[mid] as Run;
      if (seq < run.lost.fromSeq) hi = mid - 1;
      else if (seq > run.lost.toSeq) lo = mid + 1;
      else return run;
    }
    return undefined;
  }

  /** The first seq of `from..to` no run declares, or undefined. */
  uncovered(from: bigint, to: bigint): bigint | undefined {
    let seq = from;
    while (seq <= to) {
      const run = this.containing(seq);
      if (run === undefined) return seq;
      seq = run.lost.toSeq + 1n;
    }
    return undefined;
  }
}

/**
 * Verifies records in seq order (merge primary and UART records by seq first) and returns the
 * FIRST break (see `ChainBreakKind`). Per record: seqs strictly increase; a missing seq must lie in
 * a run declared by an `audit-lost` or `audit-evicted` record of the list; no present record may lie
 * inside a declared run, runs are exact (`count = toSeq − fromSeq + 1`) and never overlap; `prevHash`
 * equals the previous record's hash (32 zero bytes at seq 1; the declared `lastHash` right after a
 * run); the hash equals `hashRecord(prevHash, record)`; and a run is bridged on both sides: the
 * record at `fromSeq − 1` (present, or the end of another run) must have hash `beforeHash`, so the
 * records before a gap stay tied to what follows it. Without `fromStart` or a checkpoint the list
 * may be any window of a journal. A checkpoint (an UNSIGNED one, obtained where the journal's writer
 * cannot change it) implies `fromStart`, and the list must contain its seq with its hash, share its
 * policy version, miss exactly `dropped` seqs up to it and end there (`checkpoint-mismatch`;
 * `truncated` for an end before it). Signed checkpoints are `verifyJournal`'s.
 *
 * @example
 * verifyChain(records, chain.checkpoint()); // { ok: true, count: 3, lastSeq: 3n, lastHash }
 */
/** Records after a gap looked at for the switch back from the UART (its loss declaration comes first). */
const UART_HINT_LOOKAHEAD = 4;

/**
 * Why a gap may be no tampering: a `sink-switch` back to the primary right after it means the
 * missing records were written to the UART while the primary was down (a journal read from logd
 * alone lacks them).
 */
function uartHint(records: readonly AuditRecord[], index: number): string {
  for (let i = index; i < Math.min(records.length, index + UART_HINT_LOOKAHEAD); i++) {
    const r = records[i] as AuditRecord;
    if (r.kind === 'sink-switch' && r.sink === 'primary') {
      return ` (the chain came back from the UART at seq ${r.seq}: the records before it went to the serial line, and only the merge of both verifies)`;
    }
  }
  return '';
}

export function verifyChain(records: readonly AuditRecord[], checkpoint?: Checkpoint, options: VerifyChainOptions = {}): VerifyResult {
  const brk = (index: number, seq: bigint, kind: ChainBreakKind, detail: string): VerifyResult => ({ ok: false, index, seq, kind, detail });
  const runs = new Runs(records);
  const fromStart = checkpoint !== undefined || options.fromStart === true;
  let checkpointSeen = false;
  for (let index = 0; index < records.length; index++) {
    const r = records[index] as AuditRecord;
    const prev = records[index - 1];
    const runBreak = runs.breaks.get(index);
    if (runBreak !== undefined) return brk(index, r.seq, runBreak.kind, runBreak.detail);
    if (typeof r.seq !== 'bigint') return brk(index, 0n, 'bad-record', 'seq is not a bigint');
    if (prev === undefined) {
      const missing = fromStart && r.seq > 1n ? runs.uncovered(1n, r.seq - 1n) : undefined;
      if (missing !== undefined) return brk(0, r.seq, 'truncated', `the records start at seq ${r.seq}; seq ${missing} is missing and no run declares it`);
    } else {
      if (r.seq === prev.seq) return brk(index, r.seq, 'duplicate', `seq ${r.seq} appears twice`);
      if (r.seq < prev.seq) return brk(index, r.seq, 'reorder', `seq ${r.seq} after seq ${prev.seq}`);
      const missing = runs.uncovered(prev.seq + 1n, r.seq - 1n);
      if (missing !== undefined) return brk(index, r.seq, 'gap', `seq ${missing} is missing and no run declares it${uartHint(records, index)}`);
    }
    const inside = runs.containing(r.seq);
    if (inside !== undefined) {
      return brk(index, r.seq, 'lost-range', `seq ${r.seq} lies inside the run ${inside.lost.fromSeq}..${inside.lost.toSeq} declared by seq ${inside.seq}`);
    }
    let expectedPrev: Uint8Array | undefined;
    if (r.seq === 1n) expectedPrev = ZERO_HASH;
    else if (prev !== undefined && prev.seq === r.seq - 1n) expectedPrev = prev.hash;
    else expectedPrev = runs.byEnd.get(r.seq - 1n)?.lost.lastHash;
    if (expectedPrev !== undefined && !sameBytes(r.prevHash, expectedPrev)) {
      return brk(index, r.seq, 'prev-mismatch', `prevHash of seq ${r.seq} does not match the hash before it`);
    }
    let hash: Uint8Array;
    try {
      hash = hashRecord(r.prevHash, r);
    } catch (cause) {
      if (!(cause instanceof AuditError)) throw cause;
      return brk(index, r.seq, 'bad-record', `record fields are invalid: ${cause.message}`);
    }
    if (!sameBytes(r.hash, hash)) return brk(index, r.seq, 'hash-mismatch', `hash of seq ${r.seq} does not match its content`);
    const bridged = bridgeBreak(runs, r.seq, r.hash);
    if (bridged !== undefined) return brk(index, r.seq, 'prev-mismatch', bridged);
    if (isRunRecord(r) && r.lost !== undefined) {
      // The record before this run's gap may be missing itself: then it ends another run.
      const before = runs.byEnd.get(r.lost.fromSeq - 1n);
      if (before !== undefined && !sameBytes(before.lost.lastHash, r.lost.beforeHash)) {
        return brk(index, r.seq, 'prev-mismatch', `the run ${r.lost.fromSeq}..${r.lost.toSeq} is not bridged to the run ending at seq ${r.lost.fromSeq - 1n}`);
      }
    }
    if (checkpoint !== undefined) {
      if (r.policyVersion !== checkpoint.policyVersion) return brk(index, r.seq, 'checkpoint-mismatch', 'policy version differs from the checkpoint');
      if (r.seq === checkpoint.seq) {
        checkpointSeen = true;
        if (!sameBytes(r.hash, checkpoint.hash)) return brk(index, r.seq, 'checkpoint-mismatch', `hash at seq ${r.seq} differs from the checkpoint`);
        const missing = r.seq - BigInt(index + 1);
        if (missing !== checkpoint.dropped) {
          return brk(index, r.seq, 'checkpoint-mismatch', `${missing} record(s) missing, the checkpoint says ${checkpoint.dropped} lost`);
        }
      }
      if (r.seq > checkpoint.seq) {
        // Records past the checkpoint are indistinguishable from inserted ones, so they are refused.
        const detail = checkpointSeen ? `record past checkpoint seq ${checkpoint.seq}` : `no record at checkpoint seq ${checkpoint.seq}`;
        return brk(index, r.seq, 'checkpoint-mismatch', detail);
      }
    }
  }
  const last = records.at(-1);
  if (checkpoint !== undefined && !checkpointSeen && checkpoint.seq > 0n) {
    return brk(records.length, last?.seq ?? 0n, 'truncated', `records end before checkpoint seq ${checkpoint.seq}`);
  }
  return { ok: true, count: records.length, lastSeq: last?.seq ?? 0n, lastHash: last?.hash ?? ZERO_HASH };
}

/** Why the record at `seq` (hash `hash`) is not the one the runs starting after it were bridged to. */
function bridgeBreak(runs: Runs, seq: bigint, hash: Uint8Array): string | undefined {
  for (const run of runs.byBefore.get(seq) ?? []) {
    if (!sameBytes(run.lost.beforeHash, hash)) {
      return `hash of seq ${seq} differs from the beforeHash of the run ${run.lost.fromSeq}..${run.lost.toSeq} declared by seq ${run.seq}: the records before the gap were changed`;
    }
  }
  return undefined;
}
