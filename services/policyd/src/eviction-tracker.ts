import type { AuditRecord, EvictionReport } from '@nexus/audit';

/** One record logd confirmed: its journal id there, and what the chain needs to bridge its eviction. */
interface Stored {
  readonly id: bigint;
  readonly seq: bigint;
  readonly prevHash: Uint8Array;
  readonly hash: Uint8Array;
  readonly decision: boolean;
}

interface MutableReport {
  fromSeq: bigint;
  toSeq: bigint;
  beforeHash: Uint8Array;
  lastHash: Uint8Array;
  decisions: bigint;
}

/**
 * Most records tracked at once: logd's largest configurable in-memory audit journal
 * (`LOGD_LIMITS.maxRecords`) plus the sink's deliveries in flight, so against a logd in memory the
 * bound is never reached. A durable logd holds far more: past the bound the oldest entries are
 * forgotten (never reported evicted: logd still holds them), and should logd evict one of them
 * later it is counted in `unbridged` instead of declared.
 */
export const EVICTION_TRACKER_LIMIT: number = 65_536 + 1024;

/**
 * Which audit records logd still holds, learnt from its APPEND replies alone. logd's audit journal
 * numbers records contiguously from 1 and evicts oldest first, so the reply's `dropped` counter says
 * exactly which are gone: every journal id ≤ `dropped`. The tracker maps the ids of the records logd
 * confirmed to their seq and hashes and turns evicted ids into runs of consecutive seqs (bridged with
 * the record before the run and the last in it) for the sink's `audit-evicted` declarations. A record
 * logd stored but whose reply never came (timeout) went to the UART and is not tracked. Memory: one
 * entry per record logd holds (at most {@link EVICTION_TRACKER_LIMIT}).
 *
 * @example
 * const tracker = new EvictionTracker();
 * tracker.stored(41n, record); tracker.dropped(40n);
 * tracker.take(); // [{ fromSeq, toSeq, beforeHash, lastHash, decisions }] for the records of ids ≤ 40
 */
export class EvictionTracker {
  #held: Stored[] = [];
  #head = 0;
  #dropped = 0n;
  #reports: MutableReport[] = [];
  /** The highest journal id forgotten past the limit (0: none). */
  #forgottenThrough = 0n;
  #unbridged = 0n;

  /**
   * Records logd reported evicted that the tracker had forgotten past its limit: their run cannot
   * be bridged with hashes policyd kept, so they are counted here, not declared.
   */
  get unbridged(): bigint {
    return this.#unbridged;
  }

  /** Records tracked as held by logd. */
  get held(): number {
    return this.#held.length - this.#head;
  }

  /**
   * logd confirmed `record` under journal id `id`. An id at or below a `dropped` count already seen
   * is evicted at once (a reply overtaken by a later one).
   */
  stored(id: bigint, record: AuditRecord): void {
    const entry: Stored = { id, seq: record.seq, prevHash: record.prevHash, hash: record.hash, decision: record.kind === 'decision' };
    if (id <= this.#dropped) {
      this.#evict(entry);
      return;
    }
    const last = this.#held.at(-1);
    if (last !== undefined && this.#head < this.#held.length && id <= last.id) {
      // Replies come in journal order; one that does not is placed by id, so eviction stays oldest first.
      const at = this.#held.findIndex((e, i) => i >= this.#head && e.id > id);
      this.#held.splice(at === -1 ? this.#held.length : at, 0, entry);
    } else {
      this.#held.push(entry);
    }
    if (this.held > EVICTION_TRACKER_LIMIT) {
      const forgotten = this.#shift();
      if (forgotten.id > this.#forgottenThrough) this.#forgottenThrough = forgotten.id;
    }
  }

  /** logd's reply says `dropped` records were evicted from its audit journal since it started. */
  dropped(dropped: bigint): void {
    if (dropped <= this.#dropped) return;
    const forgotten = (dropped < this.#forgottenThrough ? dropped : this.#forgottenThrough) - this.#dropped;
    if (forgotten > 0n) this.#unbridged += forgotten;
    this.#dropped = dropped;
    while (this.held > 0 && (this.#held[this.#head] as Stored).id <= dropped) this.#evict(this.#shift());
  }

  /**
   * The evicted runs not taken yet, in seq order, and forgets them (each is reported once).
   *
   * @example
   * for (const report of tracker.take()) sink.declareEvicted(report);
   */
  take(): EvictionReport[] {
    const reports = this.#reports;
    this.#reports = [];
    return reports.map((r) => ({ ...r }));
  }

  /** A new channel (a restarted logd): its journal numbers from 1 again, so nothing seen before applies. */
  reset(): void {
    this.#held = [];
    this.#head = 0;
    this.#dropped = 0n;
    this.#forgottenThrough = 0n;
  }

  #shift(): Stored {
    const entry = this.#held[this.#head] as Stored;
    this.#head++;
    // Compact once the consumed front is as large as what is left: amortized O(1), bounded memory.
    if (this.#head >= 1024 && this.#head * 2 >= this.#held.length) {
      this.#held = this.#held.slice(this.#head);
      this.#head = 0;
    }
    return entry;
  }

  #evict(entry: Stored): void {
    const last = this.#reports.at(-1);
    if (last !== undefined && last.toSeq + 1n === entry.seq) {
      last.toSeq = entry.seq;
      last.lastHash = entry.hash;
      if (entry.decision) last.decisions++;
      return;
    }
    this.#reports.push({ fromSeq: entry.seq, toSeq: entry.seq, beforeHash: entry.prevHash, lastHash: entry.hash, decisions: entry.decision ? 1n : 0n });
  }
}
