import type { Kernel, SendCap, Task } from '@nexus/ipc';
import { LO_MAX_BLOCK_FRAME, LO_MAX_FRAME, LO_MAX_REPLY, PolicyClient, taskTransport } from '@nexus/proto';
import { LogdError } from './logd-error.js';
import { resolveLogdOptions, type LogdOptions } from './logd-options.js';
import { LogdServer, type LogdStats } from './logd-server.js';
import { openStorage, recoveryLine } from './open-storage.js';

/**
 * What the boot harness gets back from {@link startLogd}: logd's task, the send right to grant to
 * services, the one-time wiring of logd's channel to policyd, and the counters. Nothing here
 * bypasses the LO protocol.
 *
 * @example
 * const logd: LogdHandle = startLogd(kernel, { auditWriter: policyd.serviceId });
 */
export interface LogdHandle {
  readonly task: Task;
  /** The general endpoint: grant copies to every service (general APPENDs, QUERY, STATS). */
  readonly endpoint: SendCap;
  /**
   * The audit endpoint: grant one copy to policyd and to no one else. It takes only policyd's
   * audit APPENDs, so general traffic never queues in front of evidence.
   */
  readonly auditEndpoint: SendCap;
  /** Hands logd its send right to policyd (held by logd's task); allowed once. */
  connectPolicyd(cap: SendCap): void;
  stats(): LogdStats;
  /**
   * Stops the storage as a crash would leave it: the write in flight finishes, anything queued is
   * refused, files are closed. Call it after the kernel killed logd and before a new logd opens the
   * same state dir (two writers on one journal would interleave). Without a state dir: no-op.
   */
  close(): Promise<void>;
}

/**
 * Spawns the task `logd`, creates its endpoint and serves the LO protocol (v1 and v2). The
 * endpoint's frame bound is `LO_MAX_REPLY` (4096): it must carry the largest QUERY reply, and the
 * decoder answers any request over `LO_MAX_FRAME` with TOO_LARGE before parsing. Until
 * `connectPolicyd` is called every QUERY is DENIED (fail closed).
 *
 * @example
 * const logd = startLogd(kernel, { auditWriter: policyd.serviceId });
 * logd.connectPolicyd(kernel.grant(policydEndpoint.send, logd.task));
 * kernel.grant(logd.auditEndpoint, policyd); // policyd's audit channel, and no one else's
 */
export function startLogd(kernel: Kernel, options: LogdOptions): LogdHandle {
  const resolved = resolveLogdOptions(options);
  // Recovery runs before the task exists: a state dir logd must not start on is a typed error.
  const storage = resolved.storage === undefined ? undefined : openStorage(resolved.storage, resolved);
  const task = kernel.spawn('logd');
  const { recv, send } = kernel.createEndpoint(task, {
    maxFrame: Math.max(LO_MAX_REPLY, LO_MAX_FRAME),
    queueDepth: resolved.queueDepth,
  });
  // policyd is the one sender here: its share is the whole queue (a half share refused its 33rd APPEND in flight).
  const audit = kernel.createEndpoint(task, { maxFrame: LO_MAX_BLOCK_FRAME, queueDepth: resolved.auditQueueDepth, maxPerSender: resolved.auditQueueDepth });
  let policy: PolicyClient | undefined;
  const server = new LogdServer(resolved, () => policy, task.serviceId, storage);
  if (storage !== undefined) {
    const boots = storage.boots().boots;
    server.resumeAuditSeq(boots[boots.length - 1]?.lastSeq);
  }
  // On disk an APPEND waits for its sync: the next messages may start meanwhile and join the same
  // batch (group commit). Handlers still start in delivery order, so ids follow arrival order.
  const serve = storage === undefined ? undefined : { concurrency: Math.min(resolved.queueDepth, 64) };
  const auditServe = storage === undefined ? undefined : { concurrency: Math.min(resolved.auditQueueDepth, 64) };
  // A QUERY or STATS holds the endpoint while it asks policyd (one message at a time per endpoint),
  // so the timeout bounds how long appends queue behind it. policyd's audit APPEND is a `task.call`
  // with a timeout that its decision path never awaits, so policyd answers and the read finishes.
  task.serve(recv, (msg) => server.handle(msg, 'general'), serve);
  task.serve(audit.recv, (msg) => server.handle(msg, 'audit'), auditServe);
  if (storage !== undefined) resolved.console?.(recoveryLine(storage));
  resolved.console?.(storage === undefined ? 'logd: serving LO v1/v2' : 'logd: serving LO v1/v2, journals on disk (APPEND acknowledged after fdatasync)');
  return Object.freeze({
    task,
    endpoint: send,
    auditEndpoint: audit.send,
    connectPolicyd(cap: SendCap): void {
      if (policy !== undefined) throw new LogdError('ALREADY_CONNECTED', 'logd is already connected to policyd');
      policy = new PolicyClient(taskTransport(task, cap), { timeoutMs: resolved.policyTimeoutMs });
    },
    stats: (): LogdStats => server.stats(),
    close: async (): Promise<void> => {
      if (storage === undefined) return;
      await Promise.all([storage.audit.close(), storage.general.close()]);
    },
  });
}
