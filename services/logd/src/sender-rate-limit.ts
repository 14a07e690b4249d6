/** The bounds of a {@link SenderRateLimit}. */
export interface RateLimitBounds {
  /** General APPENDs one sender may make per interval. */
  readonly burst: number;
  /** Interval length, ns on the kernel clock and the same in ms of real time. */
  readonly intervalNs: bigint;
  /** Senders tracked at once (the kernel bounds tasks; this bounds logd's memory regardless). */
  readonly maxSenders: number;
}

/**
 * What {@link SenderRateLimit.admit} says about one general APPEND: whether it is stored, and how
 * many of the sender's messages were suppressed in its previous interval (to announce, once).
 */
export interface RateVerdict {
  readonly admit: boolean;
  readonly announce: bigint;
}

interface Window {
  startNs: bigint;
  startMs: number;
  used: number;
  suppressed: bigint;
}

/**
 * journald-style per-sender rate limit for general APPENDs: at most `burst` per interval per
 * kernel sender id; the rest are suppressed and counted, and the count is announced the first
 * time the sender is admitted again. An interval ends when EITHER the kernel clock or real time
 * advanced by its length, so a flooder that stops is heard again within a bounded real time.
 * Owns the invariant "no single sender can take more than `burst` general slots per interval".
 *
 * @example
 * const limit = new SenderRateLimit({ burst: 64, intervalNs: 1_000_000_000n, maxSenders: 1024 }, () => performance.now());
 * limit.admit(senderId, msg.receivedAtNs); // { admit: true, announce: 0n }
 */
export class SenderRateLimit {
  readonly #bounds: RateLimitBounds;
  readonly #realNowMs: () => number;
  readonly #intervalMs: number;
  readonly #windows = new Map<bigint, Window>();
  #suppressed = 0n;

  constructor(bounds: RateLimitBounds, realNowMs: () => number) {
    this.#bounds = bounds;
    this.#realNowMs = realNowMs;
    this.#intervalMs = Number(bounds.intervalNs) / 1e6;
  }

  /** Every general APPEND suppressed so far. */
  get suppressed(): bigint {
    return this.#suppressed;
  }

  /** Decides one general APPEND from `sender`, received at `nowNs` on the kernel clock. */
  admit(sender: bigint, nowNs: bigint): RateVerdict {
    const nowMs = this.#real();
    let w = this.#windows.get(sender);
    if (w === undefined) {
      // Full: forget senders whose interval passed; if none did, the newcomer is suppressed (and
      // counted) rather than letting the table grow: memory stays bounded whoever floods.
      if (this.#windows.size >= this.#bounds.maxSenders) this.#sweep(nowNs, nowMs);
      if (this.#windows.size >= this.#bounds.maxSenders) {
        this.#suppressed += 1n;
        return { admit: false, announce: 0n };
      }
      w = { startNs: nowNs, startMs: nowMs, used: 0, suppressed: 0n };
      this.#windows.set(sender, w);
    }
    let announce = 0n;
    if (this.#passed(w, nowNs, nowMs)) {
      announce = w.suppressed;
      w.startNs = nowNs;
      w.startMs = nowMs;
      w.used = 0;
      w.suppressed = 0n;
    }
    if (w.used >= this.#bounds.burst) {
      w.suppressed += 1n;
      this.#suppressed += 1n;
      return { admit: false, announce: 0n };
    }
    w.used++;
    return { admit: true, announce };
  }

  #passed(w: Window, nowNs: bigint, nowMs: number): boolean {
    if (nowNs - w.startNs >= this.#bounds.intervalNs) return true;
    const elapsed = nowMs - w.startMs;
    return Number.isFinite(elapsed) && elapsed >= this.#intervalMs;
  }

  #sweep(nowNs: bigint, nowMs: number): void {
    for (const [sender, w] of this.#windows) {
      // A sender with an unannounced count stays, so no suppression goes unannounced.
      if (w.suppressed === 0n && this.#passed(w, nowNs, nowMs)) this.#windows.delete(sender);
    }
  }

  #real(): number {
    try {
      const ms = this.#realNowMs();
      return typeof ms === 'number' ? ms : Number.NaN;
    } catch {
      return Number.NaN;
    }
  }
}
