import { IpcError } from './ipc-error.js';
import { DeadlineList, SLOT_IDLE, type DeadlineSlot } from './kernel/deadline-list.js';

/**
 * A timer of the virtual clock as the kernel keeps it (kernel-internal: not exported by the
 * package). The kernel's own deadlines (a call's timeout) are objects of its own that carry these
 * fields, so arming one allocates neither a timer record nor a cancel closure.
 *
 * @example
 * const entry: ClockEntry = { at: 5n, clockSlot: SLOT_IDLE, onClock: () => {} };
 */
export interface ClockEntry {
  /** Virtual ns the entry is due at. */
  at: bigint;
  /** Owned by the clock: start it at `SLOT_IDLE`. */
  clockSlot: number;
  /** Runs once when the clock reaches `at`. */
  onClock(): void;
}

const dueAfter = (a: ClockEntry, b: ClockEntry): boolean => a.at > b.at;
const CLOCK_SLOT: DeadlineSlot<ClockEntry> = {
  get: (e) => e.clockSlot,
  set: (e, v) => {
    e.clockSlot = v;
  },
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
  /** Sorted by `at`, ties in scheduling order; the front is always live. */
  readonly #timers = new DeadlineList<ClockEntry>(dueAfter, CLOCK_SLOT);

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
    for (let head = this.#timers.head(); head !== undefined && head.at <= this.#now; head = this.#timers.head()) {
      this.#timers.shift();
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
    const entry: ClockEntry = { at, clockSlot: SLOT_IDLE, onClock: fire };
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
    return this.#timers.pending;
  }

  #arm(entry: ClockEntry): void {
    this.#timers.insert(entry);
  }

  #cancel(entry: ClockEntry): void {
    this.#timers.cancel(entry);
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
