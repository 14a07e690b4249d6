import { BundleClient, PolicyClient, taskTransport, decodeExecRequest, encodeExecReply, ExecStatus } from '@nexus/proto';
import type { Incoming, Kernel, SendCap, Task } from '@nexus/ipc';
import { ExecdError } from './execd-error.js';

/** Options of {@link startExecd}. */
export interface ExecdOptions {
  /** Starts an image as a kernel task (the harness passes the kernel's spawn); a throw is SPAWN_FAILED. */
  readonly spawn: (name: string) => Task;
  /** How long one SPAWN waits for policyd before it is a DENY, in ms. Default 500. */
  readonly policyTimeoutMs?: number;
  /** How long one SPAWN waits for bundlemgrd before it is a DENY, in ms. Default 500. */
  readonly bundleTimeoutMs?: number;
  /** Requests that may wait at execd's endpoint. Default 16. */
  readonly queueDepth?: number;
}

/** A running execd, as the boot harness sees it. */
export interface ExecdHandle {
  /** execd's kernel task (`execd`). */
  readonly task: Task;
  /** A send right to execd's endpoint, held by execd: the harness grants copies of it. */
  readonly endpoint: SendCap;
  /** Gives execd its channel to policyd (a right execd holds). Twice is `ALREADY_CONNECTED`. */
  connectPolicyd(cap: SendCap): void;
  /** Gives execd its channel to bundlemgrd (a right execd holds). Twice is `ALREADY_CONNECTED`. */
  connectBundlemgrd(cap: SendCap): void;
}

const DENY: Uint8Array = encodeExecReply({ status: ExecStatus.DENY, taskId: 0n });
const NOT_FOUND: Uint8Array = encodeExecReply({ status: ExecStatus.NOT_FOUND, taskId: 0n });
const SPAWN_FAILED: Uint8Array = encodeExecReply({ status: ExecStatus.SPAWN_FAILED, taskId: 0n });

/**
 * Spawns `execd`, creates its endpoint and serves the EX protocol. A SPAWN is decoded and bounded;
 * bundlemgrd is asked whether the image is installed (not installed → NOT_FOUND); policyd is asked
 * EXEC v3 as a delegate about the kernel-stamped caller and the image id; only a well-formed
 * matching ALLOW reaches `options.spawn`. Not connected, a peer gone, a timeout or a garbage reply
 * from either: DENY. Replies carry a status and, on OK, the new task's id — never a reason.
 *
 * @example
 * const execd = startExecd(kernel, { spawn: (name) => kernel.spawn(name) });
 * execd.connectPolicyd(kernel.grant(policyd.endpoint, execd.task));
 * execd.connectBundlemgrd(kernel.grant(bundlemgrd.endpoint, execd.task));
 */
export function startExecd(kernel: Kernel, options: ExecdOptions): ExecdHandle {
  const task = kernel.spawn('execd');
  const { recv, send } = kernel.createEndpoint(task, { maxFrame: 512, queueDepth: options.queueDepth ?? 16 });
  let policy: PolicyClient | undefined;
  let bundles: BundleClient | undefined;

  const handle = async (msg: Incoming): Promise<Uint8Array> => {
    const decoded = decodeExecRequest(msg.frame);
    if (!decoded.ok) return decoded.reply;
    if (policy === undefined || bundles === undefined) return DENY;
    const { name } = decoded.request;
    const image = await bundles.query(name);
    if (image.status === 'not-found') return NOT_FOUND;
    if (image.status !== 'ok') return DENY;
    const verdict = await policy.execById(msg.senderServiceId, image.imageId);
    if (!verdict.allow) return DENY;
    let spawned: Task;
    try {
      spawned = options.spawn(name);
    } catch {
      return SPAWN_FAILED;
    }
    // A spawn hook that starts something else than the image asked for has not exec'd it.
    if (spawned.name !== name) return SPAWN_FAILED;
    return encodeExecReply({ status: ExecStatus.OK, taskId: spawned.serviceId });
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
      if (policy !== undefined) throw new ExecdError('ALREADY_CONNECTED', 'policyd is already connected');
      policy = new PolicyClient(taskTransport(task, cap), { timeoutMs: options.policyTimeoutMs ?? 500 });
    },
    connectBundlemgrd(cap: SendCap): void {
      if (bundles !== undefined) throw new ExecdError('ALREADY_CONNECTED', 'bundlemgrd is already connected');
      bundles = new BundleClient(taskTransport(task, cap), { timeoutMs: options.bundleTimeoutMs ?? 500 });
    },
  });
}
