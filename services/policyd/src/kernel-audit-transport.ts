import { formatRecordSummary, type AuditRecord, type AuditTransport, type EvictionReport, type SealedRecord } from '@nexus/audit';
import type { SendCap, Task } from '@nexus/ipc';
import { LO_AUDIT_SCOPE, LO_LEVEL, LogClient } from '@nexus/proto';
import { EvictionTracker } from './eviction-tracker.js';

/** Options of a {@link KernelAuditTransport}. */
export interface KernelAuditTransportOptions {
  /** How long one APPEND waits for logd's reply before the delivery counts as failed, in ms. Default 1000. */
  readonly timeoutMs?: number;
}

/**
 * The audit sink's primary store: logd, reached over the kernel with LO v2 APPEND_BLOCK (each
 * sealed block of records in one frame; logd answers the stored prefix) and, for a record offered
 * alone, APPEND (scope `policyd.audit`, msg = the record's original-format summary line, fields =
 * the binary record).
 * `offer` never waits: with no channel, a dead policyd task, a logd seen gone, or an APPEND older
 * than its timeout still open (logd hangs), it answers `false` at once; otherwise the promise
 * resolves `true` only on a matching OK reply, so a timeout, a refusal or a garbage reply makes the
 * sink re-route the record. `ready()` is also `false` after a failed delivery, until one succeeds
 * (the sink's probe) or `connect` is called. Every OK reply also tells which records logd evicted
 * since (its `dropped` counter, see {@link EvictionTracker}); `evictions()` hands them to the sink,
 * which declares them in the chain.
 *
 * @example
 * const transport = new KernelAuditTransport(policydTask);
 * transport.connect(kernel.grant(logd.auditEndpoint, policydTask));
 * new AuditSink({ chain, primary: transport, uart, now });
 */
export class KernelAuditTransport implements AuditTransport {
  readonly #task: Task;
  readonly #timeoutMs: number;
  #client: LogClient | undefined;
  /** Start times (ms) of the APPENDs in flight: at most the sink's `maxInFlight`. */
  readonly #started = new Set<{ readonly at: number }>();
  #failed = false;
  readonly #evicted = new EvictionTracker();

  constructor(task: Task, options: KernelAuditTransportOptions = {}) {
    this.#task = task;
    this.#timeoutMs = options.timeoutMs ?? 1000;
  }

  /** Whether a channel to logd is held and logd was not seen gone on it. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  /**
   * Uses `cap` (held by the policyd task) for every later APPEND, replacing any previous channel
   * (a restarted logd gets a fresh one).
   *
   * @example
   * transport.connect(kernel.grant(logd.auditEndpoint, policydTask));
   */
  connect(cap: SendCap): void {
    const task = this.#task;
    const client: LogClient = new LogClient(
      async (frame, timeoutMs) => {
        try {
          return (await task.call(cap, frame, { timeoutMs })).frame;
        } catch (cause) {
          const code = (cause as { code?: unknown }).code;
          // A peer seen gone stays gone until the boot wiring connects a new channel.
          if ((code === 'PEER_CLOSED' || code === 'NO_RIGHT') && this.#client === client) this.#client = undefined;
          throw cause;
        }
      },
      { timeoutMs: this.#timeoutMs },
    );
    this.#client = client;
    this.#failed = false;
    this.#started.clear();
    this.#evicted.reset();
  }

  /**
   * Records logd evicted that policyd no longer tracked (past `EVICTION_TRACKER_LIMIT`, a durable
   * logd's `rotate-sealed` deleting very old segments): not declared in the chain, counted here.
   *
   * @example
   * transport.unbridgedEvictions; // 0n against a logd in memory
   */
  get unbridgedEvictions(): bigint {
    return this.#evicted.unbridged;
  }

  /**
   * The runs of records logd confirmed and has since evicted, not reported before (seq order).
   *
   * @example
   * for (const report of transport.evictions()) sink.declareEvicted(report);
   */
  evictions(): readonly EvictionReport[] {
    return this.#evicted.take();
  }

  /**
   * Whether a record offered now can be expected to land: a channel is held, logd was not seen
   * gone, the policyd task lives, no APPEND is older than its timeout and the last one did not fail.
   * Lets the sink decide at decision time and send records after the reply.
   *
   * @example
   * transport.ready(); // false before connect()
   */
  ready(): boolean {
    return !this.#failed && this.#open();
  }

  #open(): boolean {
    if (this.#client === undefined || !this.#task.alive) return false;
    const overdue = performance.now() - this.#timeoutMs;
    for (const call of this.#started) if (call.at < overdue) return false;
    return true;
  }

  /**
   * Offers one sealed record to logd.
   *
   * @example
   * const accepted = transport.offer(record, encoded); // false, or a promise of the delivery
   */
  offer(record: AuditRecord, encoded: Uint8Array): Promise<boolean> | false {
    const client = this.#client;
    // Not `ready()`: after a failure the sink's probe must still get through.
    if (client === undefined || !this.#open()) return false;
    let msg: string;
    try {
      msg = formatRecordSummary(record);
    } catch {
      return false;
    }
    return this.#track(client, 1, client.append({ level: LO_LEVEL.INFO, scope: LO_AUDIT_SCOPE, msg, fields: encoded }).then(
      (result) => {
        if (result.status !== 'ok') return 0;
        if (this.#client === client) {
          this.#evicted.stored(result.recordId, record);
          this.#evicted.dropped(result.dropped);
        }
        return 1;
      },
    )).then((n) => n === 1);
  }

  /**
   * Offers a sealed block to logd in one APPEND_BLOCK; resolves with how many leading records logd
   * stored (their ids run on from the reply's first id).
   *
   * @example
   * const confirmed = await transport.offerBlock(chain.takeSealed()); // 0..block.length
   */
  offerBlock(block: readonly SealedRecord[]): Promise<number> | false {
    const client = this.#client;
    if (client === undefined || !this.#open()) return false;
    const records = block.map((s) => s.record);
    return this.#track(client, records.length, client.appendBlock(block.map((s) => s.encoded)).then((result) => {
      if (this.#client === client && result.stored > 0) {
        for (let i = 0; i < result.stored; i++) this.#evicted.stored(result.firstId + BigInt(i), records[i] as AuditRecord);
        this.#evicted.dropped(result.dropped);
      }
      return result.stored;
    }));
  }

  /** Counts one APPEND in flight until it settles; the channel is failed unless all `size` records were stored. */
  #track(client: LogClient, size: number, delivery: Promise<number>): Promise<number> {
    const call = { at: performance.now() };
    this.#started.add(call);
    return delivery.then(
      (n) => n,
      () => 0,
    ).then((n) => {
      this.#started.delete(call);
      if (this.#client === client) this.#failed = n < size;
      return n;
    });
  }
}
