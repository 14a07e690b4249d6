import { randomBytes } from 'node:crypto';
import { AuditError } from './audit-error.js';
import type { AuditKind } from './audit-record.js';
import type { AuditSink, CheckpointOutcome } from './audit-sink.js';
import { CHECKPOINT_LIMITS, encodeCheckpointMessage, type CheckpointClaim } from './checkpoint-message.js';
import { QuietInterval } from './recovery-clock.js';

/**
 * Signs one checkpoint message (the exact bytes of `encodeCheckpointMessage`) with the audit key
 * and resolves the 64-byte Ed25519 signature. policyd plugs in keystored's seal op; the private key
 * never leaves keystored.
 *
 * @example
 * const signer: CheckpointSigner = (message) => keystore.sealCheckpoint(message);
 */
export type CheckpointSigner = (message: Uint8Array) => Promise<Uint8Array>;

/**
 * Cancels a scheduled callback.
 *
 * @example
 * const cancel: CancelTimer = schedule(() => sealer.requestSeal(), 1000); cancel();
 */
export type CancelTimer = () => void;

/**
 * Options of `CheckpointSealer`.
 *
 * @example
 * new CheckpointSealer({ sink, signer, keyId, now: () => kernel.clock.now() } satisfies CheckpointSealerOptions);
 */
export interface CheckpointSealerOptions {
  readonly sink: AuditSink;
  readonly signer: CheckpointSigner;
  /** SHA-256 of the audit key's SPKI DER (`auditKeyId`), 32 bytes. */
  readonly keyId: Uint8Array;
  /** 16 bytes, drawn once per boot (default: random). */
  readonly bootId?: Uint8Array;
  /** Seal after this many records since the last checkpoint (default 256). */
  readonly everyRecords?: number;
  /** Seal when this much time passed since the last checkpoint, on either clock (default 1 s). */
  readonly everyNs?: bigint;
  /** A signature that takes longer (real ms) is given up: the checkpoint is chained unsealed (default 1000). */
  readonly signTimeoutMs?: number;
  /** The kernel clock (checkpoint timestamps, the virtual side of `everyNs`). */
  readonly now: () => bigint;
  /** Real elapsed ms (default `performance.now`). */
  readonly realNowMs?: () => number;
  /**
   * Runs `fn` after `ms` real milliseconds, so an idle tail is sealed without another record
   * (default: an unref'd `setTimeout`); `false` turns it off (tests, deterministic runs).
   */
  readonly schedule?: ((fn: () => void, ms: number) => CancelTimer) | false;
}

/**
 * Counters of a `CheckpointSealer`.
 *
 * @example
 * const { sealed, unsealed }: SealerStats = sealer.stats();
 */
export interface SealerStats {
  /** Checkpoints chained with a signature. */
  readonly sealed: number;
  /** Checkpoints chained without one (the signer failed, timed out or returned garbage). */
  readonly unsealed: number;
  /** Seq of the last sealed checkpoint record (0 before the first). */
  readonly lastSealedSeq: bigint;
  /** The head the last sealed checkpoint covers (0 before the first). */
  readonly lastSealedHead: bigint;
  /** Seals that chained nothing (the sink refused the checkpoint record). */
  readonly failed: number;
}

/** Attempts `flush` makes to end the chain on a seal (each is one sign call). */
const FLUSH_ATTEMPTS = 3;

function defaultSchedule(fn: () => void, ms: number): CancelTimer {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
}

function positive(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1) throw new AuditError('BAD_VALUE', `${what} must be a positive integer`);
  return n;
}

/**
 * Seals checkpoints of the audit chain off the decision path. It observes the sink and asks for a
 * seal every `everyRecords` records, every `everyNs` (virtual or real time), at every sink switch
 * and loss or eviction declaration, and on `flush()`/`close()`. A seal snapshots the head (seq,
 * hash), the sink's `lost + evicted` and the previous sealed checkpoint, has the message signed
 * (async, with a timeout), then chains a `checkpoint` record through the sink like any control
 * record. A signer that fails, times out or returns something other than 64 bytes gives an
 * UNSEALED checkpoint record; the next seal covers it. Seals never overlap: a request during a
 * seal runs once after it. Nothing here can change a decision or make `record` throw.
 *
 * @example
 * const sealer = new CheckpointSealer({ sink, signer: (m) => keystore.seal(m), keyId, now: () => kernel.clock.now() });
 * // ... decisions ...
 * await sealer.close(); // the journal now ends on a sealed checkpoint
 */
export class CheckpointSealer {
  /** This boot's id (16 bytes): every checkpoint of the boot carries it. */
  readonly bootId: Uint8Array;
  readonly #sink: AuditSink;
  readonly #signer: CheckpointSigner;
  readonly #keyId: Uint8Array;
  readonly #everyRecords: number;
  readonly #everyMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => bigint;
  readonly #interval: QuietInterval;
  readonly #schedule: ((fn: () => void, ms: number) => CancelTimer) | undefined;
  #since = 0;
  #timer: CancelTimer | undefined;
  #tail: Promise<void> = Promise.resolve();
  #requested = false;
  #closed = false;
  #prevSealedSeq = 0n;
  #prevSealedHash: Uint8Array = new Uint8Array(32);
  #lastSealedHead = 0n;
  #lastCheckpointSeq = 0n;
  #sealed = 0;
  #unsealed = 0;
  #failed = 0;

  constructor(options: CheckpointSealerOptions) {
    const keyId = options.keyId;
    if (!(keyId instanceof Uint8Array) || keyId.length !== CHECKPOINT_LIMITS.keyIdBytes) throw new AuditError('BAD_VALUE', 'keyId must be 32 bytes');
    const bootId = options.bootId ?? new Uint8Array(randomBytes(CHECKPOINT_LIMITS.bootIdBytes));
    if (!(bootId instanceof Uint8Array) || bootId.length !== CHECKPOINT_LIMITS.bootIdBytes) throw new AuditError('BAD_VALUE', 'bootId must be 16 bytes');
    const everyNs = options.everyNs ?? 1_000_000_000n;
    if (typeof everyNs !== 'bigint' || everyNs < 1n) throw new AuditError('BAD_VALUE', 'everyNs must be a positive bigint');
    this.bootId = Uint8Array.prototype.slice.call(bootId);
    this.#keyId = Uint8Array.prototype.slice.call(keyId);
    this.#sink = options.sink;
    this.#signer = options.signer;
    this.#everyRecords = positive(options.everyRecords, 256, 'everyRecords');
    this.#everyMs = Math.max(1, Math.ceil(Number(everyNs) / 1e6));
    this.#timeoutMs = positive(options.signTimeoutMs, 1000, 'signTimeoutMs');
    this.#now = options.now;
    this.#interval = new QuietInterval({ now: options.now, realNowMs: options.realNowMs ?? (() => performance.now()) }, everyNs);
    this.#schedule = options.schedule === false ? undefined : (options.schedule ?? defaultSchedule);
    this.#sink.observe((kind) => this.#observed(kind));
  }

  /** Called by the sink for every chained record, on the decision path: counts, and at most queues a seal. */
  #observed(kind: AuditKind): void {
    if (kind === 'checkpoint' || this.#closed) return;
    this.#since++;
    if (kind !== 'decision' || this.#since >= this.#everyRecords || this.#interval.passed()) {
      this.requestSeal();
      return;
    }
    if (this.#timer === undefined && this.#schedule !== undefined) {
      this.#timer = this.#schedule(() => {
        this.#timer = undefined;
        if (this.#since > 0) this.requestSeal();
      }, this.#everyMs);
    }
  }

  /**
   * Asks for a seal soon (in a microtask, never inside the caller's turn). Seals run one at a time:
   * a request while one runs makes one more seal after it; requests before it starts are one.
   *
   * @example
   * sealer.requestSeal(); // e.g. after the wiring learned of a logd restart
   */
  requestSeal(): void {
    if (this.#closed || this.#requested) return;
    this.#requested = true;
    void this.#exclusive(() => {
      this.#requested = false;
      return this.#sealOnce(false);
    });
  }

  /** Runs `fn` after every seal before it (seals never overlap: each links to the one before). */
  #exclusive(fn: () => Promise<unknown>): Promise<void> {
    const run = this.#tail.then(fn).then(
      () => undefined,
      () => {
        // Chaining the checkpoint failed (nothing was chained): the next seal covers the records.
        this.#failed++;
      },
    );
    this.#tail = run;
    return run;
  }

  /**
   * One seal: snapshot, sign (bounded), chain. Nothing new since the last checkpoint: nothing to do,
   * unless `force` and that checkpoint is unsealed (then this seal covers it).
   */
  async #sealOnce(force = false): Promise<CheckpointOutcome | undefined> {
    this.#cancelTimer();
    const head = this.#sink.head();
    if (head.seq === 0n) return undefined;
    if (head.seq === this.#lastCheckpointSeq && (!force || this.#endsOnSeal(head.seq))) return undefined;
    const stats = this.#sink.stats();
    const claim: CheckpointClaim = {
      bootId: this.bootId, headSeq: head.seq, headHash: head.hash, timestampNs: this.#now(), policyVersion: this.#sink.policyVersion,
      dropped: stats.lost + stats.evicted, prevSealedSeq: this.#prevSealedSeq, prevSealedHash: this.#prevSealedHash, keyId: this.#keyId,
    };
    this.#since = 0;
    this.#interval.restart();
    const signature = await this.#sign(encodeCheckpointMessage(claim));
    const { timestampNs, policyVersion: _, ...payload } = claim;
    const outcome = this.#sink.appendCheckpoint(timestampNs, { ...payload, ...(signature === undefined ? {} : { signature }) });
    this.#lastCheckpointSeq = outcome.seq;
    if (signature === undefined) {
      this.#unsealed++;
    } else {
      this.#sealed++;
      this.#prevSealedSeq = outcome.seq;
      this.#prevSealedHash = outcome.hash;
      this.#lastSealedHead = head.seq;
    }
    return outcome;
  }

  async #sign(message: Uint8Array): Promise<Uint8Array | undefined> {
    let cancel: (() => void) | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), this.#timeoutMs);
      timer.unref?.();
      cancel = () => clearTimeout(timer);
    });
    try {
      const result = await Promise.race([Promise.resolve().then(() => this.#signer(message)), timeout]);
      // Read once into a copy of the real bytes: a hostile signer's object cannot change it later.
      if (!(result instanceof Uint8Array) || result.length !== CHECKPOINT_LIMITS.signatureBytes) return undefined;
      return Uint8Array.prototype.slice.call(result);
    } catch {
      return undefined;
    } finally {
      cancel?.();
    }
  }

  /**
   * Whether the record at `seq` is a sealed checkpoint that vouches for itself too: it directly
   * follows the head it covers. A sealed checkpoint chained after records that arrived while it was
   * being signed covers only its head, so the records between (and itself) still need a seal.
   */
  #endsOnSeal(seq: bigint): boolean {
    return this.#prevSealedSeq === seq && this.#lastSealedHead + 1n === seq;
  }

  #cancelTimer(): void {
    this.#timer?.();
    this.#timer = undefined;
  }

  /**
   * Ends the chain on a sealed checkpoint when the signer allows it: waits for the sink's
   * deliveries, declares pending losses, seals, and repeats (at most 3 signatures) while records
   * arrived during the seal, so that in a quiet system the last record is a checkpoint covering
   * every record before it. Then waits for the checkpoint's own delivery.
   *
   * @example
   * await sealer.flush(); // an auditor can now verify the whole journal, with no unsealed tail
   */
  async flush(): Promise<void> {
    for (let attempt = 0; attempt < FLUSH_ATTEMPTS; attempt++) {
      await this.#tail;
      await this.#sink.flush();
      this.#sink.declarePending();
      await this.#sink.flush();
      await this.#tail;
      const head = this.#sink.head();
      if (head.seq === 0n || (head.seq === this.#lastCheckpointSeq && this.#endsOnSeal(head.seq))) break;
      await this.#exclusive(() => this.#sealOnce(true));
    }
    await this.#sink.flush();
  }

  /**
   * `flush()`, then stops: no timer is left and the sink is no longer observed.
   *
   * @example
   * await sealer.close();
   */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    this.#cancelTimer();
    this.#sink.observe(undefined);
  }

  /**
   * The counters.
   *
   * @example
   * sealer.stats().sealed; // 3
   */
  stats(): SealerStats {
    return { sealed: this.#sealed, unsealed: this.#unsealed, failed: this.#failed, lastSealedSeq: this.#prevSealedSeq, lastSealedHead: this.#lastSealedHead };
  }
}
