import type { RecvCap, SendCap } from '../cap.js';
import type { Handler, Reply, Task } from '../task.js';
import type { FairQueue } from './fair-queue.js';
import type { PendingCalls } from './pending-calls.js';
import type { SlotQueue } from './slot-queue.js';
import type { IpcError } from '../ipc-error.js';
import type { RealEntry, RealTimer } from '../real-timer.js';
import type { ClockEntry, VirtualClock } from '../virtual-clock.js';
import type { PendingLink } from './pending-calls.js';

/*
 * The kernel's private bookkeeping types, shared by its parts (capability table, reply rights,
 * endpoints). Nothing here is exported from the package: callers only ever see opaque handles.
 */

/** Either kind of right handle. */
export type CapHandle = SendCap | RecvCap;

/** The kernel's record of one right: what it reaches, who holds it, whose message brought it. */
export interface CapRecord {
  readonly kind: 'send' | 'recv';
  readonly endpoint: EndpointState;
  readonly holder: TaskState;
  /** The task whose message brought this right into `holder`'s table, counted against its share there. */
  readonly origin: TaskState | undefined;
}

/** The kernel's private state of one task. */
export interface TaskState {
  readonly name: string;
  readonly serviceId: bigint;
  readonly handle: Task;
  alive: boolean;
  muted: boolean;
  readonly caps: Set<CapHandle>;
  readonly endpoints: Set<EndpointState>;
  readonly pendingCalls: PendingCalls<ReplyRight>;
  /** Rights in this task's table that arrived with a message, per sending task. */
  readonly inbound: Map<TaskState, number>;
  inboundTotal: number;
}

/** The kernel's private state of one endpoint. */
export interface EndpointState {
  readonly owner: TaskState;
  readonly maxFrame: number;
  readonly queueDepth: number;
  readonly queue: FairQueue<TaskState, Message>;
  handler: Handler | undefined;
  /**
   * Messages being handled now, in delivery order: at most `concurrency` (1 unless the server asked
   * for more). Not a `Set`: a `Set` cycled one entry at a time re-allocates its table.
   */
  readonly busy: SlotQueue<Message>;
  concurrency: number;
  closed: boolean;
  pumpScheduled: boolean;
  /** Runs the pump from a microtask; made once per endpoint so scheduling allocates no closure. */
  readonly pumpJob: () => void;
  dropCount: number;
  delayCount: number;
  delayMs: number;
}

/** One queued (or in-flight) message. */
export interface Message {
  readonly senderServiceId: bigint;
  readonly frame: Uint8Array;
  readonly cap: SendCap | undefined;
  readonly reply: ReplyRight | undefined;
  /** The handler called `keepCap()`: the right stays when it returns. */
  kept: boolean;
  /** In its endpoint's `busy` list: the handler has it now. */
  handling: boolean;
  ready: boolean;
  cancelDelay: (() => void) | undefined;
}

/**
 * The one-shot right to answer one call; settling it twice is a no-op. It is also the call's queued
 * message and its deadline on both clocks (`CallRight` in reply-right.ts is the implementation).
 */
export interface ReplyRight extends ClockEntry, RealEntry, PendingLink, Message {
  readonly caller: TaskState;
  readonly promise: Promise<Reply>;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: IpcError) => void;
  readonly clock: VirtualClock;
  readonly realTimer: RealTimer;
  settled: boolean;
  /** Makes this right its call's message: the sender's stamped id, the private frame copy, the moved right. */
  load(senderServiceId: bigint, frame: Uint8Array, cap: SendCap | undefined): void;
  /** Starts both deadlines. */
  arm(): void;
}
