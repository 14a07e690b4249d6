/**
 * Deliveries the primary accepted and has not confirmed yet. Owns the invariant "every accepted
 * delivery settles exactly once": a promise that resolves anything but `true`, or rejects, is a
 * failure; `flush` waits until nothing is in flight. At most `maxInFlight` at once.
 *
 * @example
 * if (tracker.hasRoom()) { tracker.open(true); tracker.watch(promise, (ok) => { tracker.close(true); settle(ok); }); }
 */
export class DeliveryTracker {
  readonly #max: number;
  #inFlight = 0;
  #inFlightDecisions = 0;
  #idle: (() => void)[] = [];

  constructor(maxInFlight: number) {
    this.#max = maxInFlight;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get inFlightDecisions(): number {
    return this.#inFlightDecisions;
  }

  /** Whether one more delivery may be opened. */
  hasRoom(): boolean {
    return this.#inFlight < this.#max;
  }

  /** Counts one delivery as open. */
  open(decision: boolean): void {
    this.#inFlight++;
    if (decision) this.#inFlightDecisions++;
  }

  /** Counts one delivery as settled; wakes `idle()` waiters when none is left. */
  close(decision: boolean): void {
    this.#inFlight--;
    if (decision) this.#inFlightDecisions--;
    if (this.#inFlight === 0 && this.#idle.length > 0) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const wake of waiters) wake();
    }
  }

  /** Calls `done(ok)` once, when the store's promise settles (`ok` only for a resolved `true`). */
  watch(accepted: Promise<boolean>, done: (ok: boolean) => void): void {
    Promise.resolve(accepted).then(
      (ok) => done(ok === true),
      () => done(false),
    );
  }

  /**
   * Calls `done(confirmed)` once, when the store's promise for a block of `size` settles:
   * `confirmed` is the count it resolved with, clamped to `0..size` (0 for a rejection or a
   * non-integer).
   */
  watchBlock(accepted: Promise<number>, size: number, done: (confirmed: number) => void): void {
    Promise.resolve(accepted).then(
      (n) => done(Number.isInteger(n) ? Math.min(Math.max(n, 0), size) : 0),
      () => done(0),
    );
  }

  /** Resolves once nothing is in flight (at once if nothing is). */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idle.push(resolve));
  }
}
