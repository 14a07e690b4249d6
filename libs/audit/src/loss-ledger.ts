import type { AuditLost, AuditRecord } from './audit-record.js';

/**
 * A run waiting to be declared: an `audit-lost` run (recorded nowhere) or an `audit-evicted` run
 * (held by the primary, then forgotten).
 *
 * @example
 * const run: PendingRun = { kind: 'audit-lost', lost };
 */
export interface PendingRun {
  readonly kind: 'audit-lost' | 'audit-evicted';
  readonly lost: AuditLost;
}

interface MutableRun {
  kind: 'audit-lost' | 'audit-evicted';
  fromSeq: bigint;
  toSeq: bigint;
  decisions: bigint;
  beforeHash: Uint8Array;
  lastHash: Uint8Array;
}

/**
 * The loss ledger: counts every record lost or evicted exactly once and keeps the runs not yet
 * declared. Owns the invariant "every missing record is declared by exactly one run, bridged on
 * both sides": a lost seq joins an adjacent run of its kind (or starts one) with its own `prevHash`
 * and `hash` as the bridge; a lost declaration gives its run back to be declared again (its own seq
 * becomes lost in turn), so nothing is declared twice and nothing is dropped. Runs are contiguous by
 * construction, so `count = toSeq − fromSeq + 1`. Memory: one entry per pending run; between two
 * declarations that is at most the deliveries that can fail late (`maxInFlight`) plus the runs the
 * last declarations carried.
 *
 * @example
 * ledger.lost(record); for (const run of ledger.take()) chain({ kind: run.kind, timestampNs, lost: run.lost });
 */
export class LossLedger {
  #runs: MutableRun[] = [];
  #lost = 0n;
  #lostDecisions = 0n;
  #evicted = 0n;
  #evictedDecisions = 0n;

  /** Records counted lost (recorded nowhere). */
  get lostCount(): bigint {
    return this.#lost;
  }

  get lostDecisions(): bigint {
    return this.#lostDecisions;
  }

  /** Records declared evicted (held by the primary, then forgotten). */
  get evictedCount(): bigint {
    return this.#evicted;
  }

  get evictedDecisions(): bigint {
    return this.#evictedDecisions;
  }

  /** Missing records no chained declaration covers yet. */
  get undeclared(): bigint {
    return this.#runs.reduce((n, r) => n + (r.toSeq - r.fromSeq + 1n), 0n);
  }

  /** Whether runs wait to be declared. */
  get pending(): boolean {
    return this.#runs.length > 0;
  }

  /** Counts a sealed record as lost and adds it to the pending runs (with the run it carried, if any). */
  lost(record: AuditRecord): void {
    const decision = record.kind === 'decision' ? 1n : 0n;
    this.#lost++;
    this.#lostDecisions += decision;
    this.#add({ kind: 'audit-lost', fromSeq: record.seq, toSeq: record.seq, decisions: decision, beforeHash: record.prevHash, lastHash: record.hash });
    if ((record.kind === 'audit-lost' || record.kind === 'audit-evicted') && record.lost !== undefined) {
      const l = record.lost;
      this.#add({ kind: record.kind, fromSeq: l.fromSeq, toSeq: l.toSeq, decisions: l.decisions, beforeHash: l.beforeHash, lastHash: l.lastHash });
    }
  }

  /** Counts an evicted run (once); the caller chains its declaration at once. */
  evicted(run: AuditLost): void {
    this.#evicted += run.count;
    this.#evictedDecisions += run.decisions;
  }

  /** The pending runs in seq order, removed from the ledger (the caller chains one declaration each). */
  take(): PendingRun[] {
    const runs = this.#runs;
    this.#runs = [];
    return runs.map((r) => ({
      kind: r.kind,
      lost: { fromSeq: r.fromSeq, toSeq: r.toSeq, count: r.toSeq - r.fromSeq + 1n, decisions: r.decisions, beforeHash: r.beforeHash, lastHash: r.lastHash },
    }));
  }

  #add(run: MutableRun): void {
    // Kept sorted by fromSeq; a run merges with a neighbour of its kind that it touches.
    let at = this.#runs.findIndex((r) => r.fromSeq > run.fromSeq);
    if (at === -1) at = this.#runs.length;
    const before = this.#runs[at - 1];
    if (before !== undefined && before.kind === run.kind && before.toSeq + 1n === run.fromSeq) {
      before.toSeq = run.toSeq;
      before.decisions += run.decisions;
      before.lastHash = run.lastHash;
      this.#mergeNext(at - 1);
      return;
    }
    this.#runs.splice(at, 0, run);
    this.#mergeNext(at);
  }

  #mergeNext(at: number): void {
    const run = this.#runs[at] as MutableRun;
    const next = this.#runs[at + 1];
    if (next !== undefined && next.kind === run.kind && run.toSeq + 1n === next.fromSeq) {
      run.toSeq = next.toSeq;
      run.decisions += next.decisions;
      run.lastHash = next.lastHash;
      this.#runs.splice(at + 1, 1);
    }
  }
}
