import type { QuietInterval } from './recovery-clock.js';

/**
 * Whether records may go to the primary: `open` while it is up; while it is down (a delivery failed
 * later), `closed`, except that one record may `probe` it once the quiet interval has passed on
 * either clock. Owns the invariant "a primary that failed is tried again by exactly one probe per
 * interval, and comes back only when a probe is confirmed or the wiring says so".
 *
 * @example
 * const state = gate.state(); if (state === 'probe') gate.probing(seq);
 */
export class PrimaryGate {
  readonly #retry: QuietInterval;
  #down = false;
  #probeSeq: bigint | undefined;

  constructor(retry: QuietInterval) {
    this.#retry = retry;
  }

  /** Whether the primary is down (after a late failure, until a probe is confirmed). */
  get down(): boolean {
    return this.#down;
  }

  state(): 'open' | 'probe' | 'closed' {
    if (!this.#down) return 'open';
    return this.#probeSeq === undefined && this.#retry.passed() ? 'probe' : 'closed';
  }

  /** The record at `seq` went to the primary as the probe. */
  probing(seq: bigint): void {
    this.#probeSeq = seq;
  }

  /**
   * One delivery settled. A failure marks the primary down and restarts the interval; a confirmed
   * probe brings it back. Returns whether that delivery was the probe.
   */
  settle(seq: bigint, ok: boolean): boolean {
    const probe = seq === this.#probeSeq;
    if (probe) this.#probeSeq = undefined;
    if (ok) {
      if (probe) this.#down = false;
    } else {
      this.#down = true;
      this.#retry.restart();
    }
    return probe;
  }

  /** The wiring gave the primary a new channel: it is up now. */
  up(): void {
    this.#down = false;
  }
}
