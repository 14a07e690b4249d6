interface Entry {
  readonly dueMs: number;
  readonly fire: () => void;
  done: boolean;
}

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
  #entries: Entry[] = [];
  #cancelled = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Number.POSITIVE_INFINITY;

  /** Runs `fire` once about `ms` of real time has passed; returns a cancel function (a no-op once fired). */
  schedule(ms: number, fire: () => void): () => void {
    const entry: Entry = { dueMs: performance.now() + ms, fire, done: false };
    const entries = this.#entries;
    let i = entries.length;
    while (i > 0 && entries[i - 1]!.dueMs > entry.dueMs) i--;
    if (i === entries.length) entries.push(entry);
    else entries.splice(i, 0, entry);
    if (entry.dueMs < this.#armedFor) this.#arm();
    else this.#timer?.ref();
    return () => {
      if (entry.done) return;
      entry.done = true;
      this.#cancelled++;
      this.#prune();
    };
  }

  /** Live (not fired, not cancelled) deadlines. */
  get pending(): number {
    return this.#entries.length - this.#cancelled;
  }

  #prune(): void {
    const entries = this.#entries;
    let head = 0;
    while (head < entries.length && entries[head]!.done) head++;
    if (head > 0) {
      entries.splice(0, head);
      this.#cancelled -= head;
    }
    if (this.#cancelled * 2 > entries.length) {
      this.#entries = entries.filter((e) => !e.done);
      this.#cancelled = 0;
    }
    // Unref, not clear: the next call usually comes at once, and re-arming costs more than keeping
    // an idle timer that only stops holding the process open.
    if (this.#entries.length === 0) this.#timer?.unref();
  }

  #arm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const head = this.#entries[0];
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    if (head === undefined) return;
    this.#armedFor = head.dueMs;
    this.#timer = setTimeout(() => this.#run(), Math.max(0, Math.ceil(head.dueMs - performance.now())));
  }

  #run(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
    try {
      // A fired entry may schedule or cancel others; the loop re-reads the front each time.
      for (let head = this.#entries[0]; head !== undefined && (head.done || head.dueMs <= now); head = this.#entries[0]) {
        this.#entries.shift();
        if (head.done) {
          this.#cancelled--;
          continue;
        }
        head.done = true;
        head.fire();
      }
    } finally {
      // Re-arm even when a callback threw: the timer was consumed above, so without this every
      // later deadline would wait for an unrelated schedule() to arm it again.
      if (this.#timer === undefined) this.#arm();
    }
  }
}
