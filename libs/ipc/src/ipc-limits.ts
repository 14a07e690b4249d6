/** The fixed bounds of the simulated kernel (see {@link IPC_LIMITS}). */
export interface IpcLimits {
  /** Tasks alive at the same time. */
  readonly maxTasks: number;
  /** Endpoints one task may own. */
  readonly maxEndpointsPerTask: number;
  /** Capability handles one task may hold. */
  readonly maxCapsPerTask: number;
  /** Rights that one sender's messages may have in another task's table at the same time. */
  readonly maxInboundCapsPerSender: number;
  /** Rights that all senders' messages together may have in one task's table (the rest is its own). */
  readonly maxInboundCaps: number;
  /** Calls one task may have waiting for a reply at the same time. */
  readonly maxPendingCallsPerTask: number;
  /** Largest `maxFrame` an endpoint may be created with (KS VERIFY carries up to 1 MiB). */
  readonly maxFrameBytes: number;
  /** Largest `queueDepth` an endpoint may be created with. */
  readonly maxQueueDepth: number;
  /** Longest call timeout and fault delay, in ms. */
  readonly maxTimeoutMs: number;
  /** Longest service name, in bytes (names are ASCII). */
  readonly maxNameBytes: number;
  /** Messages one endpoint's handler may work on at the same time (`ServeOptions.concurrency`). */
  readonly maxServeConcurrency: number;
}

/**
 * Every resource of the kernel has a fixed bound, so nothing grows with hostile input: queues by
 * `queueDepth`, pending calls and timers by `maxPendingCallsPerTask` × `maxTasks` (plus one delay
 * timer per queued message), capability tables by `maxCapsPerTask`, of which other tasks' messages
 * may fill at most `maxInboundCaps` (`maxInboundCapsPerSender` each).
 *
 * @example
 * if (frame.byteLength > IPC_LIMITS.maxFrameBytes) throw new Error('cannot ever be sent');
 */
export const IPC_LIMITS: IpcLimits = Object.freeze({
  maxTasks: 256,
  maxEndpointsPerTask: 32,
  maxCapsPerTask: 1024,
  maxInboundCapsPerSender: 64,
  maxInboundCaps: 512,
  maxPendingCallsPerTask: 64,
  maxFrameBytes: 2 * 1024 * 1024,
  maxQueueDepth: 1024,
  maxTimeoutMs: 600_000,
  maxNameBytes: 48,
  maxServeConcurrency: 64,
});
