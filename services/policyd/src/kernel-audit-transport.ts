import { formatRecordSummary, type AuditRecord, type AuditTransport, type EvictionReport } from '@nexus/audit';
import type { SendCap, Task } from '@nexus/ipc';
import { LO_AUDIT_SCOPE, LO_LEVEL, LogClient } from '@nexus/proto';
import { EvictionTracker } from './eviction-tracker.js';


/** Options of a {@link KernelAuditTransport}. */
export interface KernelAuditTransportOptions {
  /** How long one APPEND waits for logd's reply before the delivery counts as failed, in ms. Default 1000. */
  readonly timeoutMs?: number;
}

/**
 * The audit sink's primary store: logd, reached over the kernel with LO v2 APPEND (scope
 * `policyd.audit`, msg = the record's original-format summary line, fields = the binary record).
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
    const call = { at: performance.now() };
    this.#started.add(call);
    return client
      .append({ level: LO_LEVEL.INFO, scope: LO_AUDIT_SCOPE, msg, fields: encoded })
      .then(
        (result) => {
          if (result.status !== 'ok') return false;
          if (this.#client === client) {
            this.#evicted.stored(result.recordId, record);
            this.#evicted.dropped(result.dropped);
          }
          return true;
        },
        () => false,
      )
      .then((ok) => {
        this.#started.delete(call);
        if (this.#client === client) this.#failed = !ok;
        return ok;
      });
  }
}
