import { IpcError } from './ipc-error.js';
import { SlotQueue } from './kernel/slot-queue.js';

/**
 * A timer of the virtual clock as the kernel keeps it (kernel-internal: not exported by the
 * package). The kernel's own deadlines (a call's timeout) are objects of its own that carry these
 * fields, so arming one allocates neither a timer record nor a cancel closure.
 *
 * @example
 * const entry: ClockEntry = { at: 5n, clockSlot: CLOCK_IDLE, onClock: () => {} };
 */
export interface ClockEntry {
  /** Virtual ns the entry is due at. */
  at: bigint;
  /** Owned by the clock: start it at `CLOCK_IDLE`. */
  clockSlot: number;
  /** Runs once when the clock reaches `at`. */
  onClock(): void;
}

/**
 * {@link ClockEntry.clockSlot} of an entry not in the timer list (new, fired or cancelled and pruned).
 *
 * @example
 * const right = { at: 0n, clockSlot: CLOCK_IDLE, onClock: () => {} };
 */
export const CLOCK_IDLE = 0;
/** Waiting to fire. */
const CLOCK_QUEUED = 1;
/** Cancelled, still in the list until it reaches the front or the list is compacted. */
const CLOCK_CANCELLED = 2;

/** Sort order of the timer list: `a` is due strictly after `b`. */
const dueAfter = (a: ClockEntry, b: ClockEntry): boolean => a.at > b.at;
/** Compaction: keeps queued entries, and marks the cancelled ones it drops as out of the list. */
const keepQueued = (e: ClockEntry): boolean => {
  if (e.clockSlot === CLOCK_QUEUED) return true;
  e.clockSlot = CLOCK_IDLE;
  return false;
};

let armEntry: (clock: VirtualClock, entry: ClockEntry) => void;
let cancelEntry: (clock: VirtualClock, entry: ClockEntry) => void;

/**
 * The kernel's virtual, deterministic clock: nanoseconds since boot. It only moves when the kernel
 * delivers a message (by `tickNs`), when a test calls `advance`, or when a real fallback timer of a
 * call or a delay expires; so a boot produces the same timestamps on every run. Timers that become
 * due fire in deadline order, ties in scheduling order.
 *
 * @example
 * const clock = new VirtualClock();
 * clock.advance(5_000_000n); // 5 ms
 * clock.now();               // 5_000_000n
 */
export class VirtualClock {
  #now = 0n;
  /**
   * Sorted by `at`, ties in scheduling order. A cancelled entry is only marked: it is dropped
   * when it reaches the front (the head is always live) and the list is compacted once cancelled
   * entries are the majority, so memory stays within twice the live timers and a cancel is O(1).
   */
  readonly #timers = new SlotQueue<ClockEntry>();
  #cancelled = 0;

  static {
    armEntry = (clock, entry) => clock.#arm(entry);
    cancelEntry = (clock, entry) => clock.#cancel(entry);
  }

  /** Nanoseconds since boot; never decreases. */
  now(): bigint {
    return this.#now;
  }

  /**
   * Moves the clock forward by `ns` and fires every timer that became due.
   *
   * @example
   * kernel.clock.advance(1_000_000_000n); // every call with a deadline within 1 s now times out
   */
  advance(ns: bigint): void {
    if (typeof ns !== 'bigint' || ns < 0n) {
      throw new IpcError('BAD_VALUE', 'advance takes a non-negative bigint of nanoseconds');
    }
    this.advanceTo(this.#now + ns);
  }

  /**
   * Moves the clock to `at` if that is later than now (it never goes back), then fires due timers.
   *
   * @example
   * clock.advanceTo(deadline);
   */
  advanceTo(at: bigint): void {
    if (at > this.#now) this.#now = at;
    // A fired timer may schedule or cancel others; the loop re-reads the front each time.
    for (let head = this.#timers.at(0); head !== undefined && head.at <= this.#now; head = this.#timers.at(0)) {
      this.#timers.shift();
      head.clockSlot = CLOCK_IDLE;
      this.#dropCancelledHead();
      head.onClock();
    }
  }

  /**
   * Runs `fire` once the clock reaches `at`; returns a cancel function. The kernel's own timers are
   * bounded by its pending calls and queued messages; a service scheduling timers bounds its own.
   *
   * @example
   * const cancel = clock.schedule(clock.now() + 1_000n, () => {});
   */
  schedule(at: bigint, fire: () => void): () => void {
    const entry: ClockEntry = { at, clockSlot: CLOCK_IDLE, onClock: fire };
    this.#arm(entry);
    return () => this.#cancel(entry);
  }

  /**
   * Timers waiting to fire (for tests and leak checks).
   *
   * @example
   * expect(kernel.clock.pendingTimers).toBe(0);
   */
  get pendingTimers(): number {
    return this.#timers.length - this.#cancelled;
  }

  #arm(entry: ClockEntry): void {
    this.#timers.insertSorted(entry, dueAfter);
    entry.clockSlot = CLOCK_QUEUED;
  }

  #cancel(entry: ClockEntry): void {
    if (entry.clockSlot !== CLOCK_QUEUED) return;
    entry.clockSlot = CLOCK_CANCELLED;
    this.#cancelled++;
    this.#dropCancelledHead();
    if (this.#cancelled * 2 > this.#timers.length) {
      this.#timers.retain(keepQueued);
      this.#cancelled = 0;
    }
  }

  #dropCancelledHead(): void {
    const timers = this.#timers;
    while (timers.length > 0 && timers.at(0)!.clockSlot === CLOCK_CANCELLED) {
      timers.shift()!.clockSlot = CLOCK_IDLE;
      this.#cancelled--;
    }
  }
}

/**
 * Arms a kernel entry on `clock` (kernel-internal): it fires once the clock reaches `entry.at`, in
 * the same order as timers from {@link VirtualClock.schedule}. An entry is armed at most once.
 *
 * @example
 * right.at = clock.now() + 1_000_000n;
 * armClockEntry(clock, right);
 */
export function armClockEntry(clock: VirtualClock, entry: ClockEntry): void {
  armEntry(clock, entry);
}

/**
 * Cancels a kernel entry armed with {@link armClockEntry}; a no-op once it fired or was cancelled.
 *
 * @example
 * cancelClockEntry(clock, right); // the reply came first
 */
export function cancelClockEntry(clock: VirtualClock, entry: ClockEntry): void {
  cancelEntry(clock, entry);
}
