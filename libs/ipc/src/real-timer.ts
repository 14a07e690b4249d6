import { DeadlineList, SLOT_IDLE, type DeadlineSlot } from './kernel/deadline-list.js';

/**
 * A real-time deadline as {@link RealTimer} keeps it. The kernel's own deadlines (a call's
 * fallback) are objects of its own that carry these fields, so arming one allocates nothing.
 *
 * @example
 * const entry: RealEntry = { dueMs: 0, realSlot: SLOT_IDLE, onRealTime: () => {} };
 */
export interface RealEntry {
  /** `performance.now()` the entry is due at; set by {@link RealTimer.arm}. */
  dueMs: number;
  /** Owned by the timer: start it at `SLOT_IDLE`. */
  realSlot: number;
  /** Runs once about the armed time after arming, unless cancelled first. */
  onRealTime(): void;
}

const dueAfter = (a: RealEntry, b: RealEntry): boolean => a.dueMs > b.dueMs;
const REAL_SLOT: DeadlineSlot<RealEntry> = {
  get: (e) => e.realSlot,
  set: (e, v) => {
    e.realSlot = v;
  },
};

/**
 * Many real-time deadlines on one Node timer (kernel-internal: not exported by the package). A call's fallback deadline used to arm its
 * own `setTimeout` (~µs to arm and clear, per call); here only the earliest deadline holds a real
 * timer, re-armed when an earlier one arrives or when it fires. Deadlines fire in due order, ties in
 * scheduling order. With nothing pending the timer is unref'd, so an idle kernel never keeps the
 * process alive. Cancelled entries are dropped from the front at once and compacted when they are
 * the majority, so memory stays within twice the live deadlines.
 *
 * @example
 * const timers = new RealTimer();
 * const cancel = timers.schedule(1000, () => clock.advanceTo(deadline));
 * cancel(); // the reply came first
 */
export class RealTimer {
  readonly #entries = new DeadlineList<RealEntry>(dueAfter, REAL_SLOT);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Number.POSITIVE_INFINITY;
  /** Whether the Node timer holds the process open: toggled only when that changes. */
  #refed = false;

  /** Runs `fire` once about `ms` of real time has passed; returns a cancel function (a no-op once fired). */
  schedule(ms: number, fire: () => void): () => void {
    const entry: RealEntry = { dueMs: 0, realSlot: SLOT_IDLE, onRealTime: fire };
    this.arm(entry, ms);
    return () => this.cancel(entry);
  }

  /**
   * Arms `entry` to run `entry.onRealTime()` once about `ms` of real time has passed. An entry is
   * armed at most once at a time.
   *
   * @example
   * timers.arm(right, 1000);
   */
  arm(entry: RealEntry, ms: number): void {
    const dueMs = performance.now() + ms;
    entry.dueMs = dueMs;
    this.#entries.insert(entry);
    if (dueMs < this.#armedFor) this.#arm();
    else this.#ref(true);
  }

  /**
   * Cancels an armed entry; a no-op once it fired or was cancelled.
   *
   * @example
   * timers.cancel(right); // the reply came first
   */
  cancel(entry: RealEntry): void {
    if (!this.#entries.cancel(entry)) return;
    // Unref, not clear: the next call usually comes at once, and re-arming costs more than keeping
    // an idle timer that only stops holding the process open.
    if (this.#entries.empty) this.#ref(false);
  }

  /** Live (not fired, not cancelled) deadlines. */
  get pending(): number {
    return this.#entries.pending;
  }

  #ref(on: boolean): void {
    if (this.#refed === on || this.#timer === undefined) return;
    this.#refed = on;
    if (on) this.#timer.ref();
    else this.#timer.unref();
  }

  #arm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const head = this.#entries.head();
    this.#timer = undefined;
    this.#refed = false;
    this.#armedFor = Number.POSITIVE_INFINITY;
    if (head === undefined) return;
    this.#armedFor = head.dueMs;
    this.#timer = setTimeout(() => this.#run(), Math.max(0, Math.ceil(head.dueMs - performance.now())));
    this.#refed = true;
  }

  #run(): void {
    this.#timer = undefined;
    this.#refed = false;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
    try {
      // A fired entry may schedule or cancel others; the loop re-reads the front each time.
      for (let head = this.#entries.head(); head !== undefined && head.dueMs <= now; head = this.#entries.head()) {
        this.#entries.shift();
        head.onRealTime();
      }
    } finally {
      // Re-arm even when a callback threw: the timer was consumed above, so without this every
      // later deadline would wait for an unrelated schedule() to arm it again.
      if (this.#timer === undefined) this.#arm();
    }
  }
}
