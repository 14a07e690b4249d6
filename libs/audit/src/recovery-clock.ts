/**
 * The two clocks a recovery interval runs on: the kernel's virtual clock (`now`, ns), which the
 * selftest drives deterministically, and real elapsed time (`realNowMs`, ms), which keeps running
 * when nothing is delivered. The virtual clock advances only per delivered message, so after a
 * flood it may stand still: an interval measured on it alone never ends by itself.
 *
 * @example
 * const clocks: RecoveryClocks = { now: () => kernel.clock.now(), realNowMs: () => performance.now() };
 */
export interface RecoveryClocks {
  readonly now: () => bigint;
  readonly realNowMs: () => number;
}

/**
 * A quiet interval that has passed once EITHER clock advanced by its length since `restart()`:
 * virtual time keeps tests and the selftest deterministic (no real sleeps), real time bounds
 * recovery in wall-clock terms. A real clock that goes backwards or returns a non-finite value
 * counts as not advanced.
 *
 * @example
 * const retry = new QuietInterval(clocks, 1_000_000_000n); retry.restart(); retry.passed(); // false at first
 */
export class QuietInterval {
  readonly #clocks: RecoveryClocks;
  readonly #lengthNs: bigint;
  readonly #lengthMs: number;
  #startNs: bigint;
  #startMs: number;

  constructor(clocks: RecoveryClocks, lengthNs: bigint) {
    this.#clocks = clocks;
    this.#lengthNs = lengthNs;
    this.#lengthMs = Number(lengthNs) / 1e6;
    this.#startNs = clocks.now();
    this.#startMs = realNow(clocks);
  }

  /** Starts the interval again from now on both clocks. */
  restart(): void {
    this.#startNs = this.#clocks.now();
    this.#startMs = realNow(this.#clocks);
  }

  /** Whether the interval has passed on either clock. */
  passed(): boolean {
    if (this.#clocks.now() - this.#startNs >= this.#lengthNs) return true;
    const elapsed = realNow(this.#clocks) - this.#startMs;
    return Number.isFinite(elapsed) && elapsed >= this.#lengthMs;
  }
}

function realNow(clocks: RecoveryClocks): number {
  try {
    const ms = clocks.realNowMs();
    return typeof ms === 'number' ? ms : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
