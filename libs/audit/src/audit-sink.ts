import { AuditError } from './audit-error.js';
import { AUDIT_CHAIN_BLOCK, type AuditChain, type SealedRecord } from './audit-chain.js';
import type { AuditControl, AuditInput, AuditLost, AuditRecord, AuditSinkName } from './audit-record.js';
import { formatRecordLine } from './format-record-line.js';

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
}

/**
 * The console. The sink enforces the line budget, not the port.
 *
 * @example
 * const uart: UartPort = { write: (line) => process.stdout.write(`${line}\n`) };
 */
export interface UartPort {
  write(line: string): void;
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
   * them in reserve, so its record has a place if the delivery fails later.
   */
  readonly uartBudget?: number;
  /** Records offered to the primary and not yet confirmed (default 64). */
  readonly maxInFlight?: number;
  /**
   * Quiet interval in `now()` units (default 1 s in ns): after a delivery failed later, the primary
   * is tried again (one probe record) only this long after the last failure, and the UART budget
   * refills at most once per interval.
   */
  readonly retryAfterNs?: bigint;
  /** Timestamps for control records. */
  readonly now: () => bigint;
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
 * Counters. At every moment `recorded + lost + inFlight === chained` and
 * `recordedDecisions + lostDecisions + inFlightDecisions === decisions`; after `flush()` the
 * in-flight terms are 0. `recorded` counts records confirmed by the primary or written to the UART.
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
  readonly inFlight: number;
  readonly inFlightDecisions: number;
  /** Lost records that no chained `audit-lost` record declares yet (the next record declares them). */
  readonly undeclared: bigint;
  readonly sink: AuditSinkName;
}

interface PendingLoss {
  fromSeq: bigint;
  toSeq: bigint;
  count: bigint;
  decisions: bigint;
  lastHash: Uint8Array;
}

/** An allow decision: its answer stands only if its record has a place, so it holds a UART slot while in flight. */
function holdsSlot(entry: AuditInput | AuditControl | AuditRecord): boolean {
  return (!('kind' in entry) || entry.kind === 'decision') && entry.decision === 'allow';
}

function positive(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 0) throw new AuditError('BAD_FIELD', `${what} must be a non-negative integer`);
  return n;
}

/**
 * The audit sink on policyd's decision path. `record` chains the decision, offers it to the primary
 * without waiting, falls back to the UART with the full text line (at most `uartBudget` lines per
 * quiet interval), and otherwise counts it lost in constant memory. An allow decision goes to the
 * primary only while it can hold a UART slot in reserve, so a delivery that fails later always has
 * a place and `lost` never hits a decision already answered allow. A late failure marks the primary
 * down (`sink-switch` to the UART) until a probe after the quiet interval is confirmed or
 * `retryPrimary()` is called; a synchronous refusal is retried on the next record. Before anything
 * else, a pending loss is declared by an `audit-lost` record.
 *
 * @example
 * const sink = new AuditSink({ chain, primary: logTransport, uart: { write: console.log }, now: () => kernel.clock.now() });
 * if (sink.record(input).destination === 'lost') answerDeny();
 */
export class AuditSink {
  readonly #chain: AuditChain;
  readonly #primary: AuditTransport;
  readonly #uart: UartPort;
  readonly #uartBudget: number;
  readonly #maxInFlight: number;
  readonly #retryAfterNs: bigint;
  readonly #now: () => bigint;
  readonly #drainTask = (): void => {
    this.#drainScheduled = false;
    this.#drain();
  };
  /** Records enqueued in the chain and not yet taken (sealed and offered). */
  #queued = 0;
  #drainScheduled = false;
  /** Set while a block is handed over: a switch it causes is chained after the whole block. */
  #draining = false;
  #switchDue = false;
  #idle: (() => void) | undefined;
  #sink: AuditSinkName = 'primary';
  #uartUsed = 0;
  /** UART slots held by allow decisions in flight to the primary; `uartUsed + reserved <= uartBudget` always. */
  #reserved = 0;
  /** Set while the primary is down after a late failure: when it may be probed again. */
  #retryAt: bigint | undefined;
  /** The seq of the one record probing a primary that is down. */
  #probeSeq: bigint | undefined;
  #refilledAt: bigint;
  #pending: PendingLoss | undefined;
  #inFlight = 0;
  #inFlightDecisions = 0;
  #decisions = 0n;
  #chained = 0n;
  #toPrimary = 0n;
  #toUart = 0n;
  #recordedDecisions = 0n;
  #lost = 0n;
  #lostDecisions = 0n;

  constructor(options: AuditSinkOptions) {
    this.#chain = options.chain;
    this.#primary = options.primary;
    this.#uart = options.uart;
    this.#uartBudget = positive(options.uartBudget, 64, 'uartBudget');
    this.#maxInFlight = positive(options.maxInFlight, 64, 'maxInFlight');
    const retryAfterNs = options.retryAfterNs ?? 1_000_000_000n;
    if (retryAfterNs < 0n) throw new AuditError('BAD_FIELD', 'retryAfterNs must be non-negative');
    this.#retryAfterNs = retryAfterNs;
    this.#now = options.now;
    this.#refilledAt = this.#now();
  }

  /**
   * Chains and routes one decision record. Invalid input throws `AuditError` before anything is
   * chained (the caller answers DENY).
   *
   * @example
   * sink.record(input); // { seq: 7n, destination: 'primary' }
   */
  record(input: AuditInput): AuditOutcome {
    if (this.#pending !== undefined) {
      const lost: AuditLost = { ...this.#pending };
      this.#pending = undefined;
      this.#emit({ kind: 'audit-lost', timestampNs: this.#now(), lost });
    }
    const outcome = this.#emit(input);
    this.#decisions++;
    return outcome;
  }

  #emit(entry: AuditInput | AuditControl): AuditOutcome {
    const needsSlot = holdsSlot(entry);
    let gate = this.#gate(needsSlot);
    if (gate !== 'closed' && this.#ready()) return this.#tookPrimary(this.#enqueue(entry), gate);
    // Everything queued goes out first, so the primary and the UART see records in seq order; a
    // refusal among them may have marked the primary down.
    this.#drain();
    gate = this.#gate(needsSlot);
    const sealed = this.#chain.appendSealed(entry);
    this.#chained++;
    const seq = sealed.record.seq;
    if (gate !== 'closed' && this.#offer(sealed)) return this.#tookPrimary(seq, gate);
    if (this.#sink === 'uart') return { seq, destination: this.#toUartOrLost(sealed.record) };
    this.#sink = 'uart';
    const destination = this.#toUartOrLost(sealed.record);
    this.#emitSwitch('uart');
    return { seq, destination };
  }

  /**
   * Whether a record may go to the primary: `closed` while it is down (except for one probe after
   * the quiet interval) and, for an allow decision, while no UART slot is free to hold in reserve.
   */
  #gate(needsSlot: boolean): 'open' | 'probe' | 'closed' {
    if (needsSlot && this.#uartUsed + this.#reserved >= this.#uartBudget) return 'closed';
    if (this.#retryAt === undefined) return 'open';
    return this.#probeSeq === undefined && this.#now() >= this.#retryAt ? 'probe' : 'closed';
  }

  /** A record the primary took; a probe changes nothing until it is confirmed. */
  #tookPrimary(seq: bigint, gate: 'open' | 'probe'): AuditOutcome {
    if (gate === 'probe') this.#probeSeq = seq;
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
      this.#enqueue(entry);
      return;
    }
    this.#drain();
    const sw = this.#chain.appendSealed(entry);
    this.#chained++;
    if (sink === 'uart' || !this.#offer(sw)) this.#toUartOrLost(sw.record);
  }

  /** Whether a record can be queued for the primary: it says it is ready and a slot is free. */
  #ready(): boolean {
    if (this.#primary.ready === undefined || this.#inFlight >= this.#maxInFlight) return false;
    try {
      return this.#primary.ready() === true;
    } catch {
      return false;
    }
  }

  #enqueue(entry: AuditInput | AuditControl): bigint {
    const seq = this.#chain.enqueue(entry);
    this.#chained++;
    this.#inFlight++;
    if (!('kind' in entry)) this.#inFlightDecisions++;
    if (holdsSlot(entry)) this.#reserved++;
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
    this.#draining = false;
    if (this.#switchDue) {
      this.#switchDue = false;
      this.#emitSwitch('uart');
    }
  }

  #offer({ record, encoded }: SealedRecord): boolean {
    if (this.#inFlight >= this.#maxInFlight) return false;
    let accepted: Promise<boolean> | false;
    try {
      accepted = this.#primary.offer(record, encoded);
    } catch {
      accepted = false;
    }
    if (accepted === false) return false;
    this.#inFlight++;
    if (record.kind === 'decision') this.#inFlightDecisions++;
    if (holdsSlot(record)) this.#reserved++;
    this.#watch(record, accepted);
    return true;
  }

  #watch(record: AuditRecord, accepted: Promise<boolean>): void {
    Promise.resolve(accepted).then(
      (ok) => this.#settle(record, ok === true),
      () => this.#settle(record, false),
    );
  }

  /**
   * One delivery ends. Confirmed: counted; a confirmed probe brings the primary back; the UART
   * budget refills if the primary is up and the last refill is a quiet interval old. Failed: the
   * primary is down until the quiet interval has passed (the sink switches to the UART and chains
   * a `sink-switch`), and the record takes its reserved UART slot (or a free one, or is counted lost).
   */
  #settle(record: AuditRecord, ok: boolean): void {
    const decision = record.kind === 'decision';
    this.#inFlight--;
    if (decision) this.#inFlightDecisions--;
    if (holdsSlot(record)) this.#reserved--;
    const probe = record.seq === this.#probeSeq;
    if (probe) this.#probeSeq = undefined;
    if (ok) {
      this.#toPrimary++;
      if (decision) this.#recordedDecisions++;
      if (probe) this.#retryAt = undefined;
      const now = this.#now();
      if (this.#retryAt === undefined && now - this.#refilledAt >= this.#retryAfterNs) {
        this.#uartUsed = 0;
        this.#refilledAt = now;
      }
      if (probe && this.#sink === 'uart') {
        this.#sink = 'primary';
        this.#emitSwitch('primary');
      }
    } else {
      this.#retryAt = this.#now() + this.#retryAfterNs;
      this.#toUartOrLost(record);
      if (this.#sink === 'primary') {
        this.#sink = 'uart';
        if (this.#draining) this.#switchDue = true;
        else this.#emitSwitch('uart');
      }
    }
    if (this.#inFlight === 0 && this.#idle !== undefined) {
      const wake = this.#idle;
      this.#idle = undefined;
      wake();
    }
  }

  /** A slot held by an in-flight allow decision is never given away (its own release precedes this call). */
  #toUartOrLost(record: AuditRecord): 'uart' | 'lost' {
    if (this.#uartUsed + this.#reserved < this.#uartBudget) {
      this.#uartUsed++;
      try {
        this.#uart.write(formatRecordLine(record));
        this.#toUart++;
        if (record.kind === 'decision') this.#recordedDecisions++;
        return 'uart';
      } catch {
        // A console that throws recorded nothing: fall through to counting the loss.
      }
    }
    this.#markLost(record);
    return 'lost';
  }

  #markLost(record: AuditRecord): void {
    this.#lost++;
    this.#chain.noteLost();
    const decision = record.kind === 'decision' ? 1n : 0n;
    this.#lostDecisions += decision;
    const p = this.#pending;
    // A lost audit-lost record takes its declaration with it: the range folds into the pending one.
    const carried = record.lost;
    const fromSeq = [record.seq, carried?.fromSeq, p?.fromSeq].reduce<bigint>((a, b) => (b !== undefined && b < a ? b : a), record.seq);
    const next: PendingLoss = {
      fromSeq,
      toSeq: p !== undefined && p.toSeq > record.seq ? p.toSeq : record.seq,
      count: (p?.count ?? 0n) + (carried?.count ?? 0n) + 1n,
      decisions: (p?.decisions ?? 0n) + (carried?.decisions ?? 0n) + decision,
      lastHash: p !== undefined && p.toSeq > record.seq ? p.lastHash : record.hash,
    };
    this.#pending = next;
  }

  /**
   * Declares the primary back without waiting for a probe (the boot wiring gave it a new channel):
   * the next record is offered to it, and the UART budget refills.
   *
   * @example
   * transport.connect(cap); sink.retryPrimary();
   */
  retryPrimary(): void {
    this.#retryAt = undefined;
    this.#uartUsed = 0;
    this.#refilledAt = this.#now();
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
      recorded: this.#toPrimary + this.#toUart,
      recordedDecisions: this.#recordedDecisions,
      toPrimary: this.#toPrimary,
      toUart: this.#toUart,
      lost: this.#lost,
      lostDecisions: this.#lostDecisions,
      inFlight: this.#inFlight,
      inFlightDecisions: this.#inFlightDecisions,
      undeclared: this.#pending?.count ?? 0n,
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
    while (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const previous = this.#idle;
        this.#idle = previous === undefined ? resolve : () => (previous(), resolve());
      });
      this.#drain();
    }
  }
}
