import type { RecvCap, SendCap } from './cap.js';

/**
 * One delivered message as the receiving handler sees it. `senderServiceId` is stamped by the
 * kernel from the sending task and is the only identity a service may trust.
 *
 * @example
 * task.serve(recv, (msg: Incoming) => (msg.senderServiceId === serviceIdFromName('policyd') ? ok : deny));
 */
export interface Incoming {
  readonly senderServiceId: bigint;
  /** A private copy of the sender's bytes. */
  readonly frame: Uint8Array;
  /**
   * A send right moved to the receiver with this message, held by the receiver while the handler
   * runs. The kernel releases it when the handler returns (or its promise settles) unless the
   * handler called {@link Incoming.keepCap}; forwarding it or replying with it moves it away.
   */
  readonly cap: SendCap | undefined;
  /** Virtual time of delivery (ns since boot). */
  readonly receivedAtNs: bigint;
  /**
   * Keeps `cap` past the handler's return (the receiver's protocol wants it): returns the right,
   * now the receiver's to release. `undefined` when the message carried none, the handler already
   * gave it away, or the handler has returned. A kept right still counts against its sender's
   * share of the receiver's table (`IPC_LIMITS.maxInboundCapsPerSender`) until released.
   */
  keepCap(): SendCap | undefined;
}

/**
 * What a handler returns: the reply frame, a reply frame with a send right to move to the caller,
 * or `undefined` for no reply (one-way messages; a caller then gets `NO_REPLY`).
 *
 * @example
 * const out: Outgoing = { frame: reply, cap: route };
 */
export type Outgoing = Uint8Array | { readonly frame: Uint8Array; readonly cap?: SendCap } | undefined;

/**
 * How an endpoint is served: `concurrency` messages may be in the handler at once (default 1,
 * at most `IPC_LIMITS.maxServeConcurrency`). Handlers are still started in delivery order.
 *
 * @example
 * task.serve(recv, handler, { concurrency: 64 });
 */
export interface ServeOptions {
  readonly concurrency?: number;
}

/**
 * A message handler. Messages of one endpoint reach it one at a time: each sender's in its arrival
 * order, senders served round robin; a throw or rejection fails only that call (`SERVER_FAULT`).
 *
 * @example
 * const echo: Handler = (msg) => msg.frame;
 */
export type Handler = (msg: Incoming) => Outgoing | Promise<Outgoing>;

/**
 * The answer to a call. `senderServiceId` is the kernel-stamped id of the task that replied.
 *
 * @example
 * const { frame, senderServiceId }: Reply = await client.call(route, request);
 */
export interface Reply {
  readonly frame: Uint8Array;
  readonly cap: SendCap | undefined;
  readonly senderServiceId: bigint;
}

/**
 * Options of `Task.send`. Unknown keys are refused (`BAD_VALUE`): there is no way to pass
 * an identity.
 *
 * @example
 * task.send(logRoute, frame, { cap: replyRoute });
 */
export interface SendOptions {
  /** A send right the sender holds, moved to the receiver (the sender loses it). */
  readonly cap?: SendCap;
}

/**
 * Options of `Task.call`.
 *
 * @example
 * await task.call(route, frame, { timeoutMs: 200 });
 */
export interface CallOptions extends SendOptions {
  /** Default 1000; at most `IPC_LIMITS.maxTimeoutMs`. */
  readonly timeoutMs?: number;
}

/**
 * A running (or killed) task, created only by `Kernel.spawn`. Its identity is fixed by the kernel.
 *
 * @example
 * const client = kernel.spawn('selftest-client');
 * const reply = await client.call(route, frame);
 * client.release(route); // done with it: the handle is dead, its slot free
 */
export interface Task {
  readonly name: string;
  /** `serviceIdFromName(name)`, computed by the kernel at spawn. */
  readonly serviceId: bigint;
  readonly alive: boolean;
  /**
   * Sends `frame` and waits for the reply. Rejects `TIMEOUT`, `PEER_CLOSED`, `SERVER_FAULT`,
   * `NO_REPLY`, or (checked at the sender, before anything is sent) `FRAME_TOO_LARGE`,
   * `QUEUE_FULL`, `NO_RIGHT`, `TASK_DEAD`, `LIMIT_REACHED`, `BAD_VALUE`.
   */
  call(cap: SendCap, frame: Uint8Array, options?: CallOptions): Promise<Reply>;
  /** One-way send; throws synchronously when the message cannot be queued. */
  send(cap: SendCap, frame: Uint8Array, options?: SendOptions): void;
  /**
   * Starts handling the messages of an endpoint this task owns (once per endpoint). By default one
   * message at a time; `options.concurrency` lets the handler start on the next messages (still in
   * delivery order) while earlier ones await, e.g. to commit a batch with one disk sync.
   */
  serve(recv: RecvCap, handler: Handler, options?: ServeOptions): void;
  /** Copies a send right this task holds; the copy is held by this task too. */
  duplicate(cap: SendCap): SendCap;
  /**
   * Gives up a send right this task holds: the handle is dead everywhere at once (send, call,
   * duplicate, grant, moving it, fault injection: `NO_RIGHT`, as for a right moved away) and its
   * slot of `IPC_LIMITS.maxCapsPerTask` is free again. The endpoint and every other copy of the
   * right stay as they were; a message already sent through it is still delivered and a call
   * already made still gets its reply (the reply travels on its own one-shot right).
   * Throws `TASK_DEAD` (this task was killed) or `NO_RIGHT` (not a send right this task holds:
   * another task's handle, a forged object, one already released or moved away, a receive right).
   * A receive right is never released on its own: it lives as long as its endpoint, which closes
   * when its owner is killed.
   */
  release(cap: SendCap): void;
}
