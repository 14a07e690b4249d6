import { IpcError } from './ipc-error.js';

interface Timer {
  readonly at: bigint;
  readonly fire: () => void;
}

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
  #timers: Timer[] = [];

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
    // A fired timer may schedule another due one; the loop picks it up in order.
    while (this.#timers.length > 0 && this.#timers[0]!.at <= this.#now) {
      this.#timers.shift()!.fire();
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
    const timer: Timer = { at, fire };
    let i = this.#timers.length;
    while (i > 0 && this.#timers[i - 1]!.at > at) i--;
    this.#timers.splice(i, 0, timer);
    return () => {
      const at = this.#timers.indexOf(timer);
      if (at >= 0) this.#timers.splice(at, 1);
    };
  }

  /**
   * Timers waiting to fire (for tests and leak checks).
   *
   * @example
   * expect(kernel.clock.pendingTimers).toBe(0);
   */
  get pendingTimers(): number {
    return this.#timers.length;
  }
}
