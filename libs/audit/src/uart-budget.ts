import type { AuditRecord } from './audit-record.js';
import { formatRecordLine } from './format-record-line.js';
import type { QuietInterval } from './recovery-clock.js';

/**
 * Room for one line held on the UART device itself: the device keeps it free until the line is
 * written through it or the hold is released, whatever else is written meanwhile.
 *
 * @example
 * const hold = uart.reserve?.(); hold?.write(line); // the device accepts it: the room was held for it
 */
export interface UartReservation {
  /** Writes the line into the held room (which is then used up). Throws only if the device itself failed. */
  write(line: string): void;
  /** Gives the held room back unused. Idempotent. */
  release(): void;
}

/**
 * The console. The sink enforces the line budget; a port that can refuse lines (a bounded device)
 * should offer `reserve`, so that every allow decision in flight to the primary holds room on the
 * device and a delivery that fails later always has a place. A port without `reserve` is taken to
 * be a console that never refuses (a refusal there is a device fault, counted lost).
 *
 * @example
 * const uart: UartPort = { write: (line) => process.stdout.write(`${line}\n`) };
 */
export interface UartPort {
  write(line: string): void;
  /** Holds room for one line, or `undefined` when the device has none left. Must not throw. */
  reserve?(): UartReservation | undefined;
}

/**
 * One held UART line, before it is tied to a seq.
 *
 * @example
 * const hold = budget.acquire(); if (hold !== undefined) budget.attach(seq, hold);
 */
export interface UartHold {
  readonly reservation: UartReservation | null;
  /** The decision's subject: no subject may hold more than its share of the lines. */
  readonly subject: bigint | undefined;
}

interface Held {
  readonly reservation: UartReservation | null;
  readonly subject: bigint | undefined;
}

/**
 * The UART side of the sink: at most `budget` lines per refill window (`uartUsed + reserved ≤
 * budget` always) and, for each allow decision in flight to the primary, one held line: a budget
 * slot AND a device reservation when the port offers them. Owns the invariant "a reserved allow
 * always has a place": its line is written through its own reservation, never through free room.
 *
 * @example
 * const uart = new UartBudget(port, 64, refillWindow); const hold = uart.acquire(); // undefined: no room for an allow
 */
export class UartBudget {
  readonly #port: UartPort;
  readonly #budget: number;
  readonly #window: QuietInterval;
  #used = 0;
  /** Held lines by seq: a device reservation, or `null` for a port without reservations. */
  readonly #held = new Map<bigint, Held>();
  /** Lines held per subject (held or unattached): one flooding subject never holds them all. */
  readonly #bySubject = new Map<bigint, number>();
  /** Holds acquired for a record that is being chained (at most one at a time). */
  readonly #unattached = new Set<UartHold>();
  #written = 0n;

  constructor(port: UartPort, budget: number, window: QuietInterval) {
    this.#port = port;
    this.#budget = budget;
    this.#window = window;
  }

  /**
   * Whether `subject` already holds its share of the lines (its next allow would find none). The
   * share is half (at least one) of the lines the other subjects leave: a flooding subject holds
   * at most half of the budget, a second one half of the rest, and so on, so a newcomer always
   * finds a line while any is free.
   */
  shareFull(subject: bigint): boolean {
    const mine = this.#bySubject.get(subject) ?? 0;
    const others = this.#held.size + this.#unattached.size - mine;
    const room = this.#budget - this.#used - others;
    return room <= 0 || mine >= Math.max(1, Math.ceil(room / 2));
  }

  #count(subject: bigint | undefined, delta: number): void {
    if (subject === undefined) return;
    const n = (this.#bySubject.get(subject) ?? 0) + delta;
    if (n <= 0) this.#bySubject.delete(subject);
    else this.#bySubject.set(subject, n);
  }

  /** Lines the sink wrote to the UART. */
  get written(): bigint {
    return this.#written;
  }

  /** Whether a line could be held now (budget only; the device answers in `hold`). */
  canHold(): boolean {
    return this.#used + this.#held.size + this.#unattached.size < this.#budget;
  }

  /**
   * Takes one line to hold for an allow decision about to be chained: a budget slot and, if the port
   * has them, room on the device. `undefined` when either is missing (the decision cannot go to the
   * primary). The hold counts against the budget at once; `attach` ties it to the record's seq.
   */
  acquire(subject?: bigint): UartHold | undefined {
    if (!this.canHold() || (subject !== undefined && this.shareFull(subject))) return undefined;
    let reservation: UartReservation | null = null;
    if (this.#port.reserve !== undefined) {
      try {
        reservation = this.#port.reserve() ?? null;
      } catch {
        reservation = null;
      }
      if (reservation === null) return undefined;
    }
    const hold: UartHold = { reservation, subject };
    this.#unattached.add(hold);
    this.#count(subject, 1);
    return hold;
  }

  /** Ties an acquired hold to the seq its record got. */
  attach(seq: bigint, hold: UartHold): void {
    this.#unattached.delete(hold);
    this.#held.set(seq, { reservation: hold.reservation, subject: hold.subject });
  }

  /** Gives back a hold that was never attached (chaining failed). */
  abandon(hold: UartHold): void {
    if (!this.#unattached.delete(hold)) return;
    this.#count(hold.subject, -1);
    if (hold.reservation !== null) safeRelease(hold.reservation);
  }

  /** Gives a held line back (the record was confirmed by the primary). */
  release(seq: bigint): void {
    const held = this.#held.get(seq);
    if (held === undefined) return;
    this.#held.delete(seq);
    this.#count(held.subject, -1);
    if (held.reservation !== null) safeRelease(held.reservation);
  }

  /**
   * Writes the full text line of `record` to the UART: through its held line if it has one, else
   * into free budget (the device may still refuse). Returns whether the line was written.
   */
  write(record: AuditRecord): boolean {
    const held = this.#held.get(record.seq);
    if (held !== undefined) {
      this.#held.delete(record.seq);
      this.#count(held.subject, -1);
      this.#used++;
      return this.#put(held.reservation, record);
    }
    if (!this.canHold()) return false;
    this.#used++;
    return this.#put(null, record);
  }

  #put(reservation: UartReservation | null, record: AuditRecord): boolean {
    let line: string;
    try {
      line = formatRecordLine(record);
      if (reservation === null) this.#port.write(line);
      else reservation.write(line);
    } catch {
      // A console that throws recorded nothing: the caller counts the loss.
      if (reservation !== null) safeRelease(reservation);
      return false;
    }
    this.#written++;
    return true;
  }

  /** Refills the budget when the window has passed (on either clock); called on a confirmed delivery. */
  refillIfDue(): void {
    if (this.#window.passed()) this.refill();
  }

  /** Refills the budget now and starts a new window. */
  refill(): void {
    this.#used = 0;
    this.#window.restart();
  }
}

function safeRelease(reservation: UartReservation): void {
  try {
    reservation.release();
  } catch {
    // A device that fails to release keeps its room: nothing the sink can do about it.
  }
}
