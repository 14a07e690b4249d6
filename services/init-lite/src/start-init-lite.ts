import { serviceIdFromName, type Incoming, type Kernel, type Outgoing, type SendCap, type Task } from '@nexus/ipc';
import { PolicyClient, taskTransport, decodeRouteRequest, encodeRouteReply, RouteStatus } from '@nexus/proto';
import { InitLiteError } from './init-lite-error.js';
import { ServiceRegistry } from './service-registry.js';

/** Options of {@link startInitLite}. */
export interface InitLiteOptions {
  /** How long one ROUTE waits for policyd before it is a DENY, in ms. Default 500. */
  readonly policyTimeoutMs?: number;
  /** Requests that may wait at init-lite's endpoint. Default 16. */
  readonly queueDepth?: number;
}

/** A running init-lite, as the boot harness sees it. */
export interface InitLiteHandle {
  /** init-lite's kernel task (`init-lite`). */
  readonly task: Task;
  /** A send right to init-lite's endpoint, held by init-lite: the harness grants copies of it. */
  readonly endpoint: SendCap;
  /** Gives init-lite its channel to policyd (a right init-lite holds). Twice is `ALREADY_CONNECTED`. */
  connectPolicyd(cap: SendCap): void;
  /** Records init-lite's right to service `name` (see {@link ServiceRegistry.register}). */
  register(name: string, cap: SendCap): void;
  /**
   * Swaps init-lite's right to a registered service for `cap`, after the harness restarted it (see
   * {@link ServiceRegistry.replace}); an unregistered name is `NOT_REGISTERED`. Later ROUTEs hand out copies
   * of `cap` only. Once `cap` is in the table, the old right is released from init-lite's cap table
   * (its slot is free again), unless `cap` is that same handle or another name still uses it, so
   * restarts never use up init-lite's 1024 slots.
   */
  replace(name: string, cap: SendCap): void;
}

const DENY: Uint8Array = encodeRouteReply(RouteStatus.DENY);

/**
 * Spawns `init-lite`, creates its endpoint and serves the RT protocol. A ROUTE is decoded and
 * bounded, then asked of policyd as a delegate (ROUTE v3: the kernel-stamped caller id and the
 * target's id) before init-lite reveals whether the name exists; only a well-formed matching ALLOW
 * leads to the table, and only a registered name gets a duplicated right moved to the caller.
 * Not connected, policyd gone, timeout, a garbage reply, or a right that cannot be copied: DENY.
 *
 * @example
 * const init = startInitLite(kernel);
 * init.connectPolicyd(kernel.grant(policyd.endpoint, init.task));
 * init.register('logd', kernel.grant(logd.endpoint, init.task));
 * // after logd crashed and the harness started a new one:
 * init.replace('logd', kernel.grant(newLogd.endpoint, init.task));
 */
export function startInitLite(kernel: Kernel, options: InitLiteOptions = {}): InitLiteHandle {
  const task = kernel.spawn('init-lite');
  const { recv, send } = kernel.createEndpoint(task, { maxFrame: 512, queueDepth: options.queueDepth ?? 16 });
  const registry = new ServiceRegistry();
  let policy: PolicyClient | undefined;

  const handle = async (msg: Incoming): Promise<Outgoing> => {
    const decoded = decodeRouteRequest(msg.frame);
    if (!decoded.ok) return decoded.reply;
    const { name } = decoded.request;
    if (policy === undefined) return DENY;
    const verdict = await policy.routeById(msg.senderServiceId, serviceIdFromName(name));
    if (!verdict.allow) return DENY;
    const held = registry.lookup(name);
    if (held === undefined) return encodeRouteReply(RouteStatus.NOT_FOUND);
    try {
      return { frame: encodeRouteReply(RouteStatus.OK), cap: task.duplicate(held) };
    } catch {
      // A right init-lite cannot copy (table full, not held) hands out nothing: fail closed.
      return DENY;
    }
  };
  task.serve(recv, async (msg) => {
    try {
      return await handle(msg);
    } catch {
      return DENY;
    }
  });

  return Object.freeze({
    task,
    endpoint: send,
    connectPolicyd(cap: SendCap): void {
      if (policy !== undefined) throw new InitLiteError('ALREADY_CONNECTED', 'policyd is already connected');
      policy = new PolicyClient(taskTransport(task, cap), { timeoutMs: options.policyTimeoutMs ?? 500 });
    },
    register(name: string, cap: SendCap): void {
      registry.register(name, cap);
    },
    replace(name: string, cap: SendCap): void {
      const stale = registry.replace(name, cap);
      if (stale === undefined) return;
      try {
        task.release(stale);
      } catch {
        // NO_RIGHT: init-lite never held it (the harness registered someone else's handle), so it
        // took no slot; TASK_DEAD: init-lite's whole table is gone. Either way nothing is left to
        // free, and the new right is already in place.
      }
    },
  });
}
