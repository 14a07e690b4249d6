import { AuditError } from './audit-error.js';
import { AUDIT_CHAIN_BLOCK, type AuditChain, type SealedRecord } from './audit-chain.js';
import type { AuditCheckpoint, AuditControl, AuditInput, AuditKind, AuditLost, AuditRecord, AuditSinkName } from './audit-record.js';
import { DeliveryTracker } from './delivery-tracker.js';
import { LossLedger } from './loss-ledger.js';
import { PrimaryGate } from './primary-gate.js';
import { RecentRecords } from './recent-records.js';
import { QuietInterval, type RecoveryClocks } from './recovery-clock.js';
import { UartBudget, type UartHold, type UartPort } from './uart-budget.js';
import { sameBytes } from './same-bytes.js';

export type { UartPort, UartReservation } from './uart-budget.js';

/**
 * The primary store (logd over IPC; policyd provides it).
 *
 * @example
 * const primary: AuditTransport = { offer: (record, encoded) => logClient.tryAppend(encoded) ?? false };
 */
export interface AuditTransport {
  /**
   * `false` (synchronously): unavailable right now. A promise: accepted for delivery; it resolves
   * `true` once the store confirmed the record, `false` (or rejects) if delivery failed later.
   */
  offer(record: AuditRecord, encoded: Uint8Array): Promise<boolean> | false;
  /**
   * Optional: whether `offer` would accept a record right now (synchronously, no side effect). A
   * transport that has it lets the sink decide at decision time and seal and offer records in
   * blocks at the end of the microtask turn; an `offer` that then answers `false` counts as a
   * delivery that failed later. Without it, every record is sealed and offered at once.
   */
  ready?(): boolean;
  /**
   * Optional: the runs of records the store confirmed and no longer holds (evicted), each reported
   * once, in seq order. The sink asks before every decision and declares them (`audit-evicted`),
   * in batches of `evictionBatch` records, and all of them on `declarePending()` (the sealer calls
   * it before its final seal).
   * Must not throw (a throw counts as nothing to report).
   */
  evictions?(): readonly EvictionReport[];
  /**
   * Optional: offers a whole block of sealed records (1..`AUDIT_CHAIN_BLOCK`, seq order) in one
   * delivery. `false` (synchronously): unavailable, none taken. A promise: it resolves with how
   * many leading records the store confirmed (the rest failed; a rejection, or anything but an
   * integer, is 0). With it, the sink hands over each block it seals this way instead of record by
   * record.
   */
  offerBlock?(block: readonly SealedRecord[]): Promise<number> | false;
}

/**
 * Options of `AuditSink`.
 *
 * @example
 * new AuditSink({ chain, primary, uart, uartBudget: 64, maxInFlight: 64, now: () => kernel.clock.now() } satisfies AuditSinkOptions);
 */
export interface AuditSinkOptions {
  readonly chain: AuditChain;
  readonly primary: AuditTransport;
  readonly uart: UartPort;
  /**
   * UART lines per window (default 64). Every allow decision in flight to the primary holds one of
   * them (and room on the device, when the port offers `reserve`), so its record has a place if
   * the delivery fails later.
   */
  readonly uartBudget?: number;
  /** Records offered to the primary and not yet confirmed (default 64). */
  readonly maxInFlight?: number;
  /**
   * Quiet interval in `now()` units (default 1 s in ns): after a delivery failed later, the primary
   * is tried again (one probe record) only this long after the last failure, and the UART budget
   * refills at most once per interval. The interval passes when EITHER clock (`now`, `realNowMs`)
   * advanced by it, so recovery needs no delivery to move the virtual clock.
   */
  readonly retryAfterNs?: bigint;
  /** Timestamps for control records (the kernel's virtual clock). */
  readonly now: () => bigint;
  /** Real elapsed time in ms (default `performance.now`); recovery intervals also end on it. */
  readonly realNowMs?: () => number;
  /**
   * Recent records whose hash and place the sink remembers (default 4096), to bridge eviction
   * declarations with its own hashes. Make it larger than the primary's capacity.
   */
  readonly recentRecords?: number;
  /**
   * Evicted records reported by the primary that a decision waits for before they are declared in
   * one `audit-evicted` record (default 64). Each declaration is a record the store holds in turn,
   * so declaring every eviction at once would evict one record per declaration, forever; a batch
   * costs one record per `evictionBatch`. `declarePending()` declares the rest.
   */
  readonly evictionBatch?: number;
}

/**
 * Where the decision record went. `lost`: this decision's own record could not be recorded
 * anywhere; it is already counted (once) and will be declared by an `audit-lost` record, so the
 * caller must answer DENY and must NOT record the decision again.
 *
 * @example
 * const outcome: AuditOutcome = sink.record(input); // { seq: 12n, destination: 'uart' }
 */
export interface AuditOutcome {
  readonly seq: bigint;
  readonly destination: 'primary' | 'uart' | 'lost';
}

/**
 * A chained checkpoint record: where it went, and its seq and hash (the next seal's `prevSealed`).
 *
 * @example
 * const { seq, hash }: CheckpointOutcome = sink.appendCheckpoint(timestampNs, payload);
 */
export interface CheckpointOutcome extends AuditOutcome {
  readonly hash: Uint8Array;
}

/**
 * A run of records the primary held and no longer holds (evicted, or dropped by it after it had
 * confirmed them), as policyd reports it from logd's counters. The sink bridges the run with the
 * hashes it remembers (`recentRecords`); `beforeHash`/`lastHash`/`decisions` are needed only for
 * seqs it no longer remembers, and are cross-checked against its memory where it does.
 *
 * @example
 * sink.declareEvicted({ fromSeq: 40n, toSeq: 41n }); // chains an audit-evicted record
 */
export interface EvictionReport {
  readonly fromSeq: bigint;
  readonly toSeq: bigint;
  /** Hash of the record at `fromSeq − 1` (e.g. from logd's evicted records). */
  readonly beforeHash?: Uint8Array;
  /** Hash of the record at `toSeq`. */
  readonly lastHash?: Uint8Array;
  /** Decision records in the run. */
  readonly decisions?: bigint;
}

/**
 * What the sink tells its one observer (the `CheckpointSealer`): a record was chained. Called on
 * the decision path: it must return at once and never throw (a throw is ignored).
 *
 * @example
 * sink.observe((kind) => { if (kind === 'audit-lost') sealer.requestSeal(); });
 */
export type AuditSinkObserver = (kind: AuditKind) => void;

/**
 * Counters. At every moment `recorded + lost + inFlight === chained` and
 * `recordedDecisions + lostDecisions + inFlightDecisions === decisions`; after `flush()` the
 * in-flight terms are 0. `recorded` counts records confirmed by the primary or written to the UART;
 * `evicted` (a part of `recorded`) those the primary no longer holds, declared by `audit-evicted`.
 *
 * @example
 * const { lost, lostDecisions }: AuditSinkStats = sink.stats();
 */
export interface AuditSinkStats {
  readonly decisions: bigint;
  readonly chained: bigint;
  readonly recorded: bigint;
  readonly recordedDecisions: bigint;
  readonly toPrimary: bigint;
  readonly toUart: bigint;
  readonly lost: bigint;
  readonly lostDecisions: bigint;
  readonly evicted: bigint;
  readonly evictedDecisions: bigint;
  readonly inFlight: number;
  readonly inFlightDecisions: number;
  /** Missing records that no chained declaration covers yet (the next record declares them). */
  readonly undeclared: bigint;
  /** Evicted records the primary reported that wait for their batch (or for `declarePending()`). */
  readonly evictionsPending: bigint;
  /** Evicted records the primary reported that the sink refused to declare (a report contradicting its memory). */
  readonly evictionsRefused: bigint;
  readonly sink: AuditSinkName;
}

/** An allow decision: its answer stands only if its record has a place, so it holds a UART line while in flight. */
function holdsLine(entry: AuditInput | AuditControl | AuditRecord): boolean {
  return (!('kind' in entry) || entry.kind === 'decision') && entry.decision === 'allow';
}

function subjectOf(entry: AuditInput | AuditControl): bigint | undefined {
  return 'kind' in entry ? undefined : entry.subjectId;
}

function count(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 0) throw new AuditError('BAD_VALUE', `${what} must be a non-negative integer`);
  return n;
}

/** A report read once into a private copy (own data fields only; a hostile object cannot change it later). */
function snapshotReport(value: unknown): EvictionReport | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (key: string): unknown => {
    const d = Object.getOwnPropertyDescriptor(value, key);
    return d !== undefined && 'value' in d ? d.value : undefined;
  };
  const [fromSeq, toSeq, beforeHash, lastHash, decisions] = ['fromSeq', 'toSeq', 'beforeHash', 'lastHash', 'decisions'].map(field);
  if (typeof fromSeq !== 'bigint' || typeof toSeq !== 'bigint') return undefined;
  const bytes = (v: unknown): Uint8Array | undefined => (v instanceof Uint8Array ? Uint8Array.prototype.slice.call(v) : undefined);
  const before = bytes(beforeHash);
  const last = bytes(lastHash);
  return {
    fromSeq, toSeq,
    ...(before === undefined ? {} : { beforeHash: before }),
    ...(last === undefined ? {} : { lastHash: last }),
    ...(typeof decisions === 'bigint' ? { decisions } : {}),
  };
}

function defaultRealNowMs(): number {
  return performance.now();
}

/**
 * The audit sink on policyd's decision path, a façade over parts that each own one invariant:
 * `PrimaryGate` (down / probe / up), `DeliveryTracker` (in-flight deliveries settle once),
 * `UartBudget` (lines per window, a held line for every allow in flight), `LossLedger` (every
 * missing record declared exactly once, bridged) and `RecentRecords` (its own memory of hashes).
 * `record` chains the decision, offers it to the primary without waiting, falls back to the UART
 * with the full text line, and otherwise counts it lost. An allow decision goes to the primary only
 * while it can hold a UART line, so a delivery that fails later always has a place and `lost` never
 * hits a decision already answered allow. A late failure marks the primary down (`sink-switch` to
 * the UART) until a probe after the quiet interval is confirmed or `retryPrimary()` is called; a
 * synchronous refusal is retried on the next record. Before anything else, pending runs are
 * declared by `audit-lost` / `audit-evicted` records.
 *
 * @example
 * const sink = new AuditSink({ chain, primary: logTransport, uart: { write: console.log }, now: () => kernel.clock.now() });
 * if (sink.record(input).destination === 'lost') answerDeny();
 */
export class AuditSink {
  readonly #chain: AuditChain;
  readonly #primary: AuditTransport;
  readonly #now: () => bigint;
  readonly #gate: PrimaryGate;
  readonly #tracker: DeliveryTracker;
  readonly #uart: UartBudget;
  readonly #ledger = new LossLedger();
  readonly #recent: RecentRecords;
  readonly #drainTask = (): void => {
    this.#drainScheduled = false;
    // With a block in flight the records wait for it (or for a full block): the next block grows
    // while the store works, instead of one small frame per turn.
    if (this.#blocksInFlight === 0) this.#drain();
  };
  /** Blocks handed to `offerBlock` and not settled yet. */
  #blocksInFlight = 0;
  #observer: AuditSinkObserver | undefined;
  /** Records enqueued in the chain and not yet taken (sealed and offered). */
  #queued = 0;
  #drainScheduled = false;
  /** Set while a block is handed over: a switch it causes is chained after the whole block. */
  #draining = false;
  #switchDue = false;
  #sink: AuditSinkName = 'primary';
  #decisions = 0n;
  #chained = 0n;
  #toPrimary = 0n;
  #recordedDecisions = 0n;
  readonly #evictionBatch: number;
  /** Runs the primary reported evicted and not declared yet (seq order, adjacent runs merged). */
  #reported: EvictionReport[] = [];
  #reportedCount = 0n;
  #declaringEvictions = false;
  #evictionsRefused = 0n;

  constructor(options: AuditSinkOptions) {
    this.#chain = options.chain;
    this.#primary = options.primary;
    const retryAfterNs = options.retryAfterNs ?? 1_000_000_000n;
    if (typeof retryAfterNs !== 'bigint' || retryAfterNs < 0n) throw new AuditError('BAD_VALUE', 'retryAfterNs must be a non-negative bigint');
    this.#now = options.now;
    const clocks: RecoveryClocks = { now: options.now, realNowMs: options.realNowMs ?? defaultRealNowMs };
    this.#gate = new PrimaryGate(new QuietInterval(clocks, retryAfterNs));
    this.#tracker = new DeliveryTracker(count(options.maxInFlight, 64, 'maxInFlight'));
    this.#uart = new UartBudget(options.uart, count(options.uartBudget, 64, 'uartBudget'), new QuietInterval(clocks, retryAfterNs));
    this.#recent = new RecentRecords(count(options.recentRecords, 4096, 'recentRecords'));
    this.#evictionBatch = count(options.evictionBatch, 64, 'evictionBatch');
  }

  /**
   * Whether `subjectId` already holds its share of the UART lines with allow decisions in flight
   * (half of the lines the other subjects leave): its next allow would have no place unless the
   * others' lines were taken. The decider answers (and records) such an allow as DENY
   * `audit-unavailable`, so one subject asking faster than the primary confirms cannot make anyone
   * else's allow a DENY. A probe due now refills the budget first, as recording would.
   *
   * @example
   * if (input.decision === 'allow' && sink.allowShareFull(input.subjectId)) input = { ...input, decision: 'deny', reason: 'audit-unavailable' };
   */
  allowShareFull(subjectId: bigint): boolean {
    this.#refillForProbe();
    return this.#uart.shareFull(subjectId);
  }

  /** The policy version of the chain (every checkpoint commits to it). */
  get policyVersion(): string {
    return this.#chain.policyVersion;
  }

  /**
   * Chains and routes one decision record. Invalid input throws `AuditError` before anything is
   * chained (the caller answers DENY).
   *
   * @example
   * sink.record(input); // { seq: 7n, destination: 'primary' }
   */
  record(input: AuditInput): AuditOutcome {
    this.#declareReported(false);
    this.#declareRuns();
    const outcome = this.#emit(input);
    this.#decisions++;
    return outcome;
  }

  /**
   * Chains the pending `audit-lost` / `audit-evicted` declarations now (`record` does it before
   * every decision; the sealer does it before a final seal). A declaration that is itself lost
   * stays pending for the next call.
   *
   * @example
   * sink.declarePending(); sink.stats().undeclared; // 0n unless a declaration was lost
   */
  declarePending(): void {
    this.#declareReported(true);
    this.#declareRuns();
  }

  #declareRuns(): void {
    if (!this.#ledger.pending) return;
    for (const run of this.#ledger.take()) this.#emit({ kind: run.kind, timestampNs: this.#now(), lost: run.lost });
  }

  /**
   * Takes the primary's eviction reports and declares them: once `evictionBatch` records wait, or
   * all of them when `force`. A run that still holds a record in flight (its confirmation has not
   * settled yet) waits for the next call; one the sink refuses (it contradicts its own memory) is
   * counted in `evictionsRefused` and not declared: the verifier then sees the gap undeclared.
   */
  #declareReported(force: boolean): void {
    if (this.#declaringEvictions) return;
    this.#pullReports();
    if (this.#reported.length === 0 || (!force && this.#reportedCount < BigInt(this.#evictionBatch))) return;
    this.#declaringEvictions = true;
    try {
      while (this.#reported.length > 0) {
        const report = this.#reported[0] as EvictionReport;
        if (this.#holdsInFlight(report)) break;
        this.#reported.shift();
        this.#reportedCount -= report.toSeq - report.fromSeq + 1n;
        try {
          this.declareEvicted(report);
        } catch (error) {
          if (!(error instanceof AuditError)) throw error;
          this.#evictionsRefused += report.toSeq - report.fromSeq + 1n;
        }
      }
    } finally {
      this.#declaringEvictions = false;
    }
  }

  #pullReports(): void {
    if (this.#primary.evictions === undefined) return;
    let reports: readonly EvictionReport[];
    try {
      reports = this.#primary.evictions();
    } catch {
      return;
    }
    if (!Array.isArray(reports)) return;
    for (const r of reports as readonly unknown[]) {
      const report = snapshotReport(r);
      if (report === undefined) continue;
      const last = this.#reported.at(-1);
      if (last !== undefined && last.toSeq + 1n === report.fromSeq && (last.decisions === undefined) === (report.decisions === undefined)) {
        // One declaration for adjacent runs: bridged by the first's beforeHash and the second's lastHash.
        this.#reported[this.#reported.length - 1] = {
          fromSeq: last.fromSeq, toSeq: report.toSeq,
          ...(last.decisions === undefined || report.decisions === undefined ? {} : { decisions: last.decisions + report.decisions }),
          ...(last.beforeHash === undefined ? {} : { beforeHash: last.beforeHash }),
          ...(report.lastHash === undefined ? {} : { lastHash: report.lastHash }),
        };
      } else {
        this.#reported.push(report);
      }
      this.#reportedCount += report.toSeq - report.fromSeq + 1n;
    }
  }

  /** Whether the sink still waits for the confirmation of a record of the run. */
  #holdsInFlight(report: EvictionReport): boolean {
    for (let seq = report.toSeq; seq >= report.fromSeq; seq--) {
      const entry = this.#recent.get(seq);
      if (entry === undefined) return false;
      if (entry.place === 'in-flight') return true;
    }
    return false;
  }

  /**
   * Declares a run of records the primary held and no longer holds (see `EvictionReport`) and chains
   * its `audit-evicted` record at once. Throws `AuditError('BAD_VALUE')`, chaining nothing, for a run
   * outside the chained seqs, one that contains a record the sink does not know as held by the
   * primary (in flight, on the UART, lost, already evicted), a reported hash that contradicts the
   * sink's own, or missing hashes for seqs it no longer remembers.
   *
   * @example
   * sink.declareEvicted({ fromSeq: 40n, toSeq: 41n }); // { seq: 97n, destination: 'primary' }
   */
  declareEvicted(report: EvictionReport): AuditOutcome {
    const run = this.#evictedRun(snapshotReport(report) ?? ({} as EvictionReport));
    for (let seq = run.fromSeq; seq <= run.toSeq; seq++) this.#recent.place(seq, 'evicted');
    this.#ledger.evicted(run);
    this.#chain.noteLost(run.count);
    this.#declareRuns();
    const outcome = this.#emit({ kind: 'audit-evicted', timestampNs: this.#now(), lost: run });
    this.#declareRuns();
    return outcome;
  }

  #evictedRun(report: EvictionReport): AuditLost {
    const { fromSeq, toSeq } = report;
    if (typeof fromSeq !== 'bigint' || typeof toSeq !== 'bigint' || fromSeq < 1n || fromSeq > toSeq || toSeq > this.#chain.lastSeq) {
      throw new AuditError('BAD_VALUE', 'an eviction is a run of chained seqs fromSeq..toSeq');
    }
    let decisions = 0n;
    let remembered = 0n;
    const span = toSeq - fromSeq + 1n;
    // Past the ring nothing is remembered, so the walk is bounded by the ring, not by the report.
    for (let seq = toSeq; seq >= fromSeq && remembered < span; seq--) {
      const entry = this.#recent.get(seq);
      if (entry === undefined) break;
      if (entry.place !== 'primary') throw new AuditError('BAD_VALUE', `seq ${seq} is not held by the primary (${entry.place})`);
      remembered++;
      if (entry.decision) decisions++;
    }
    if (remembered < span) {
      if (typeof report.decisions !== 'bigint' || report.decisions < decisions || report.decisions > span) {
        throw new AuditError('BAD_VALUE', 'decisions is required (and ≤ the run) for seqs the sink no longer remembers');
      }
      decisions = report.decisions;
    } else if (report.decisions !== undefined && report.decisions !== decisions) {
      throw new AuditError('BAD_VALUE', `the run holds ${decisions} decisions, the report says ${report.decisions}`);
    }
    const beforeHash = fromSeq === 1n ? new Uint8Array(32) : this.#hashAt(fromSeq - 1n, report.beforeHash, 'beforeHash');
    const lastHash = this.#hashAt(toSeq, report.lastHash, 'lastHash');
    return { fromSeq, toSeq, count: span, decisions, beforeHash, lastHash };
  }

  /** The sink's own hash at `seq` (cross-checked against a reported one), or the reported one past its memory. */
  #hashAt(seq: bigint, reported: Uint8Array | undefined, what: string): Uint8Array {
    const own = this.#recent.get(seq)?.hash ?? this.#recent.get(seq + 1n)?.prevHash;
    if (reported !== undefined && !(reported instanceof Uint8Array && reported.length === 32)) throw new AuditError('BAD_VALUE', `${what} must be 32 bytes`);
    if (own !== undefined) {
      if (reported !== undefined && !sameBytes(own, reported)) throw new AuditError('BAD_VALUE', `the reported ${what} contradicts the chain at seq ${seq}`);
      return own;
    }
    if (reported === undefined) throw new AuditError('BAD_VALUE', `${what} is required for seq ${seq}, which the sink no longer remembers`);
    return Uint8Array.prototype.slice.call(reported);
  }

  /**
   * Chains a checkpoint record (the `CheckpointSealer` calls it) and routes it like any control
   * record; it is sealed at once, so its hash is known. Bad fields throw `AuditError('BAD_VALUE')`.
   *
   * @example
   * const { seq, hash } = sink.appendCheckpoint(claim.timestampNs, { ...payload, signature });
   */
  appendCheckpoint(timestampNs: bigint, checkpoint: AuditCheckpoint): CheckpointOutcome {
    const { sealed, outcome } = this.#emitSealed({ kind: 'checkpoint', timestampNs, checkpoint });
    return { ...outcome, hash: sealed.record.hash };
  }

  /**
   * The last chained seq and its hash (sealing queued records first): what a checkpoint covers.
   *
   * @example
   * const { seq, hash } = sink.head();
   */
  head(): { readonly seq: bigint; readonly hash: Uint8Array } {
    const { seq, hash } = this.#chain.checkpoint();
    return { seq, hash };
  }

  /**
   * Sets the one observer told about every chained record (the sealer); `undefined` removes it.
   *
   * @example
   * sink.observe((kind) => counter++);
   */
  observe(observer: AuditSinkObserver | undefined): void {
    this.#observer = observer;
  }

  #emit(entry: AuditInput | AuditControl): AuditOutcome {
    this.#refillForProbe();
    const hold = holdsLine(entry) ? this.#uart.acquire(subjectOf(entry)) : null;
    const gate = hold === undefined ? 'closed' : this.#gate.state();
    if (gate !== 'closed' && this.#ready()) {
      let seq: bigint;
      try {
        seq = this.#enqueue(entry, hold ?? null);
      } catch (error) {
        if (hold) this.#uart.abandon(hold);
        throw error;
      }
      return this.#tookPrimary(seq, gate);
    }
    if (hold) this.#uart.abandon(hold);
    return this.#emitSealed(entry).outcome;
  }

  /** The synchronous path: everything queued goes out first, then this record is sealed and routed at once. */
  #emitSealed(entry: AuditInput | AuditControl): { sealed: SealedRecord; outcome: AuditOutcome } {
    // Queued records go out first, so the primary and the UART see records in seq order; a refusal
    // among them may have marked the primary down.
    this.#drain();
    this.#refillForProbe();
    const hold = holdsLine(entry) ? this.#uart.acquire(subjectOf(entry)) : null;
    const gate = hold === undefined ? 'closed' : this.#gate.state();
    let sealed: SealedRecord;
    try {
      sealed = this.#chain.appendSealed(entry);
    } catch (error) {
      if (hold) this.#uart.abandon(hold);
      throw error;
    }
    this.#chained++;
    const record = sealed.record;
    this.#recent.put(record, 'in-flight');
    this.#notify(record.kind);
    const seq = record.seq;
    if (gate !== 'closed' && this.#offer(sealed, hold ?? null)) return { sealed, outcome: this.#tookPrimary(seq, gate) };
    if (hold) this.#uart.abandon(hold);
    if (this.#sink === 'uart') return { sealed, outcome: { seq, destination: this.#toUartOrLost(record) } };
    this.#sink = 'uart';
    const destination = this.#toUartOrLost(record);
    this.#emitSwitch('uart');
    return { sealed, outcome: { seq, destination } };
  }

  /**
   * A probe is due: the quiet interval passed, so the UART window may refill too (at most once per
   * interval, as ever). Without it, after a long outage that spent the budget the probe itself, an
   * allow, found no line to hold and was answered DENY: the first decision after recovery.
   */
  #refillForProbe(): void {
    if (this.#gate.state() === 'probe') this.#uart.refillIfDue();
  }

  #notify(kind: AuditKind): void {
    if (this.#observer === undefined) return;
    try {
      this.#observer(kind);
    } catch {
      // The observer (the sealer) never changes a decision: its failure is its own.
    }
  }

  /** A record the primary took; a probe changes nothing until it is confirmed. */
  #tookPrimary(seq: bigint, gate: 'open' | 'probe'): AuditOutcome {
    if (gate === 'probe') this.#gate.probing(seq);
    else if (this.#sink === 'uart') {
      this.#sink = 'primary';
      this.#emitSwitch('primary');
    }
    return { seq, destination: 'primary' };
  }

  /** A change of sink, chained right after the first record that went to the new sink, and sent there. */
  #emitSwitch(sink: AuditSinkName): void {
    const entry: AuditControl = { kind: 'sink-switch', timestampNs: this.#now(), sink };
    if (sink === 'primary' && this.#ready()) {
      this.#enqueue(entry, null);
      return;
    }
    this.#drain();
    const sw = this.#chain.appendSealed(entry);
    this.#chained++;
    this.#recent.put(sw.record, 'in-flight');
    this.#notify('sink-switch');
    if (sink === 'uart' || !this.#offer(sw, null)) this.#toUartOrLost(sw.record);
  }

  /** Whether a record can be queued for the primary: it says it is ready and a slot is free. */
  #ready(): boolean {
    if (this.#primary.ready === undefined || !this.#tracker.hasRoom()) return false;
    try {
      return this.#primary.ready() === true;
    } catch {
      return false;
    }
  }

  #enqueue(entry: AuditInput | AuditControl, hold: UartHold | null): bigint {
    const seq = this.#chain.enqueue(entry);
    this.#chained++;
    this.#tracker.open(!('kind' in entry));
    if (hold !== null) this.#uart.attach(seq, hold);
    this.#notify('kind' in entry ? entry.kind : 'decision');
    if (++this.#queued >= AUDIT_CHAIN_BLOCK) this.#drain();
    else if (!this.#drainScheduled) {
      this.#drainScheduled = true;
      queueMicrotask(this.#drainTask);
    }
    return seq;
  }

  /** Seals the queued records (one block) and offers them to the primary in seq order. */
  #drain(): void {
    if (this.#queued === 0) return;
    const sealed = this.#chain.takeSealed();
    this.#queued = 0;
    this.#draining = true;
    for (const s of sealed) this.#recent.put(s.record, 'in-flight');
    if (this.#primary.offerBlock !== undefined) this.#offerBlock(sealed);
    else {
      for (const s of sealed) {
        let accepted: Promise<boolean> | false;
        try {
          accepted = this.#primary.offer(s.record, s.encoded);
        } catch {
          accepted = false;
        }
        if (accepted === false) this.#settle(s.record, false);
        else this.#watch(s.record, accepted);
      }
    }
    this.#endDrain();
  }

  #endDrain(): void {
    this.#draining = false;
    if (this.#switchDue) {
      this.#switchDue = false;
      this.#emitSwitch('uart');
    }
  }

  /**
   * One delivery for the block: the confirmed prefix settles as delivered, the rest as failed, in
   * seq order, and a switch to the UART comes after the whole block (so the UART lines stay in seq
   * order).
   */
  #offerBlock(sealed: readonly SealedRecord[]): void {
    let accepted: Promise<number> | false;
    try {
      accepted = (this.#primary.offerBlock as (block: readonly SealedRecord[]) => Promise<number> | false)(sealed);
    } catch {
      accepted = false;
    }
    if (accepted === false) {
      for (const s of sealed) this.#settle(s.record, false);
      return;
    }
    this.#blocksInFlight++;
    this.#tracker.watchBlock(accepted, sealed.length, (confirmed) => {
      this.#blocksInFlight--;
      const wasDraining = this.#draining;
      this.#draining = true;
      for (let i = 0; i < sealed.length; i++) this.#settle((sealed[i] as SealedRecord).record, i < confirmed);
      if (!wasDraining) this.#endDrain();
      // What queued while this block was out goes next, as one block.
      if (this.#blocksInFlight === 0) this.#drain();
    });
  }

  #offer({ record, encoded }: SealedRecord, hold: UartHold | null): boolean {
    if (!this.#tracker.hasRoom()) return false;
    let accepted: Promise<boolean> | false;
    try {
      accepted = this.#primary.offer(record, encoded);
    } catch {
      accepted = false;
    }
    if (accepted === false) return false;
    this.#tracker.open(record.kind === 'decision');
    if (hold !== null) this.#uart.attach(record.seq, hold);
    this.#watch(record, accepted);
    return true;
  }

  #watch(record: AuditRecord, accepted: Promise<boolean>): void {
    this.#tracker.watch(accepted, (ok) => this.#settle(record, ok));
  }

  /**
   * One delivery ends. Confirmed: counted, its held UART line given back; a confirmed probe brings
   * the primary back; the UART budget refills if the primary is up and the window has passed.
   * Failed: the primary is down until the quiet interval has passed (the sink switches to the UART
   * and chains a `sink-switch`), and the record takes its held UART line (or a free one, or is
   * counted lost).
   */
  #settle(record: AuditRecord, ok: boolean): void {
    const decision = record.kind === 'decision';
    this.#tracker.close(decision);
    const probe = this.#gate.settle(record.seq, ok);
    if (ok) {
      this.#uart.release(record.seq);
      this.#toPrimary++;
      if (decision) this.#recordedDecisions++;
      this.#recent.place(record.seq, 'primary');
      if (!this.#gate.down) this.#uart.refillIfDue();
      if (probe && this.#sink === 'uart') {
        this.#sink = 'primary';
        this.#emitSwitch('primary');
      }
    } else {
      this.#toUartOrLost(record);
      if (this.#sink === 'primary') {
        this.#sink = 'uart';
        if (this.#draining) this.#switchDue = true;
        else this.#emitSwitch('uart');
      }
    }
  }

  /** A line held by an in-flight allow decision is written through its own hold, never given away. */
  #toUartOrLost(record: AuditRecord): 'uart' | 'lost' {
    if (this.#uart.write(record)) {
      if (record.kind === 'decision') this.#recordedDecisions++;
      this.#recent.place(record.seq, 'uart');
      return 'uart';
    }
    this.#ledger.lost(record);
    this.#chain.noteLost();
    this.#recent.place(record.seq, 'lost');
    return 'lost';
  }

  /**
   * Declares the primary back without waiting for a probe (the boot wiring gave it a new channel):
   * the next record is offered to it, and the UART budget refills.
   *
   * @example
   * transport.connect(cap); sink.retryPrimary();
   */
  retryPrimary(): void {
    this.#gate.up();
    this.#uart.refill();
  }

  /**
   * The counters (see `AuditSinkStats` for the invariants they keep).
   *
   * @example
   * const s = sink.stats(); s.recorded + s.lost + BigInt(s.inFlight) === s.chained; // true
   */
  stats(): AuditSinkStats {
    return {
      decisions: this.#decisions,
      chained: this.#chained,
      recorded: this.#toPrimary + this.#uart.written,
      recordedDecisions: this.#recordedDecisions,
      toPrimary: this.#toPrimary,
      toUart: this.#uart.written,
      lost: this.#ledger.lostCount,
      lostDecisions: this.#ledger.lostDecisions,
      evicted: this.#ledger.evictedCount,
      evictedDecisions: this.#ledger.evictedDecisions,
      inFlight: this.#tracker.inFlight,
      inFlightDecisions: this.#tracker.inFlightDecisions,
      undeclared: this.#ledger.undeclared,
      evictionsPending: this.#reportedCount,
      evictionsRefused: this.#evictionsRefused,
      sink: this.#sink,
    };
  }

  /**
   * Waits until every delivery in flight has settled (and been re-routed or counted if it failed).
   *
   * @example
   * await sink.flush(); sink.stats().inFlight; // 0
   */
  async flush(): Promise<void> {
    this.#drain();
    while (this.#tracker.inFlight > 0) {
      await this.#tracker.idle();
      this.#drain();
    }
  }
}
