import { SlotQueue } from './kernel/slot-queue.js';

/**
 * A real-time deadline as {@link RealTimer} keeps it. The kernel's own deadlines (a call's
 * fallback) are objects of its own that carry these fields, so arming one allocates nothing.
 *
 * @example
 * const entry: RealEntry = { dueMs: 0, realSlot: REAL_IDLE, onRealTime: () => {} };
 */
export interface RealEntry {
  /** `performance.now()` the entry is due at; set by {@link RealTimer.arm}. */
  dueMs: number;
  /** Owned by the timer: start it at `REAL_IDLE`. */
  realSlot: number;
  /** Runs once about the armed time after arming, unless cancelled first. */
  onRealTime(): void;
}

/**
 * {@link RealEntry.realSlot} of an entry not in the list (new, fired or cancelled and pruned).
 *
 * @example
 * const entry = { dueMs: 0, realSlot: REAL_IDLE, onRealTime: () => {} };
 */
export const REAL_IDLE = 0;
/** Waiting to fire. */
const REAL_QUEUED = 1;
/** Cancelled, still in the list until it reaches the front or the list is compacted. */
const REAL_CANCELLED = 2;

/** Sort order of the list: `a` is due strictly after `b`. */
const dueAfter = (a: RealEntry, b: RealEntry): boolean => a.dueMs > b.dueMs;
/** Compaction: keeps queued entries, and marks the cancelled ones it drops as out of the list. */
const keepQueued = (e: RealEntry): boolean => {
  if (e.realSlot === REAL_QUEUED) return true;
  e.realSlot = REAL_IDLE;
  return false;
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
  readonly #entries = new SlotQueue<RealEntry>();
  #cancelled = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Number.POSITIVE_INFINITY;
  /** Whether the Node timer holds the process open: toggled only when that changes. */
  #refed = false;

  /** Runs `fire` once about `ms` of real time has passed; returns a cancel function (a no-op once fired). */
  schedule(ms: number, fire: () => void): () => void {
    const entry: RealEntry = { dueMs: 0, realSlot: REAL_IDLE, onRealTime: fire };
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
    entry.realSlot = REAL_QUEUED;
    this.#entries.insertSorted(entry, dueAfter);
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
    if (entry.realSlot !== REAL_QUEUED) return;
    entry.realSlot = REAL_CANCELLED;
    this.#cancelled++;
    this.#prune();
  }

  /** Live (not fired, not cancelled) deadlines. */
  get pending(): number {
    return this.#entries.length - this.#cancelled;
  }

  #prune(): void {
    const entries = this.#entries;
    while (entries.length > 0 && entries.at(0)!.realSlot === REAL_CANCELLED) {
      entries.shift()!.realSlot = REAL_IDLE;
      this.#cancelled--;
    }
    if (this.#cancelled * 2 > entries.length) {
      entries.retain(keepQueued);
      this.#cancelled = 0;
    }
    // Unref, not clear: the next call usually comes at once, and re-arming costs more than keeping
    // an idle timer that only stops holding the process open.
    if (this.#entries.length === 0) this.#ref(false);
  }

  #ref(on: boolean): void {
    if (this.#refed === on || this.#timer === undefined) return;
    this.#refed = on;
    if (on) this.#timer.ref();
    else this.#timer.unref();
  }

  #arm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const head = this.#entries.at(0);
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
      for (
        let head = this.#entries.at(0);
        head !== undefined && (head.realSlot === REAL_CANCELLED || head.dueMs <= now);
        head = this.#entries.at(0)
      ) {
        this.#entries.shift();
        if (head.realSlot === REAL_CANCELLED) {
          head.realSlot = REAL_IDLE;
          this.#cancelled--;
          continue;
        }
        head.realSlot = REAL_IDLE;
        head.onRealTime();
      }
    } finally {
      // Re-arm even when a callback threw: the timer was consumed above, so without this every
      // later deadline would wait for an unrelated schedule() to arm it again.
      if (this.#timer === undefined) this.#arm();
    }
  }
}
