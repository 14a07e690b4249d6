import type { RecvCap, SendCap } from './cap.js';
import { IpcError } from './ipc-error.js';
import { IPC_LIMITS } from './ipc-limits.js';
import type { KernelFaults } from './kernel-faults.js';
import { checkInt, checkMs, checkName, snapshotOptions } from './kernel/check-args.js';
import { FairQueue } from './kernel/fair-queue.js';
import { copyFrame, frameLength, frameView, isByteArray } from './kernel/frame-bytes.js';
import { serviceIdFromName } from './service-id.js';
import { RealTimer } from './real-timer.js';
import type { CallOptions, Handler, Incoming, Outgoing, Reply, SendOptions, Task } from './task.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * Options of {@link Kernel}.
 *
 * @example
 * new Kernel({ tickNs: 1_000n });
 */
export interface KernelOptions {
  /** Virtual time added per delivered message; default `1_000n` (1 µs). */
  readonly tickNs?: bigint;
  /**
   * TEST-ONLY hook: replaces `serviceIdFromName` so tests can build an id collision (a real FNV-1a
   * 64 collision among short names is out of reach). Production boots never pass it.
   */
  readonly idOf?: (name: string) => bigint;
}

/**
 * Options of `Kernel.createEndpoint`.
 *
 * @example
 * kernel.createEndpoint(policyd, { maxFrame: 512, queueDepth: 16 });
 */
export interface EndpointOptions {
  /** Largest request or reply frame, in bytes; default 512, at most `IPC_LIMITS.maxFrameBytes`. */
  readonly maxFrame?: number;
  /** Messages that may wait for the handler; default 16, at most `IPC_LIMITS.maxQueueDepth`. */
  readonly queueDepth?: number;
  /**
   * Of those, how many one sender may hold (its fair share); default half of `queueDepth`
   * rounded up, at most `queueDepth`. Senders are served round robin.
   */
  readonly maxPerSender?: number;
}

/**
 * The two rights to a new endpoint, both held by its owner.
 *
 * @example
 * const { recv, send }: Endpoint = kernel.createEndpoint(server);
 */
export interface Endpoint {
  readonly recv: RecvCap;
  readonly send: SendCap;
}

type CapHandle = SendCap | RecvCap;

interface CapRecord {
  readonly kind: 'send' | 'recv';
  readonly endpoint: EndpointState;
  readonly holder: TaskState;
  /** The task whose message brought this right into `holder`'s table, counted against its share there. */
  readonly origin: TaskState | undefined;
}

interface TaskState {
  readonly name: string;
  readonly serviceId: bigint;
  readonly handle: Task;
  alive: boolean;
  muted: boolean;
  readonly caps: Set<CapHandle>;
  readonly endpoints: Set<EndpointState>;
  readonly pendingCalls: Set<ReplyRight>;
  /** Rights in this task's table that arrived with a message, per sending task. */
  readonly inbound: Map<TaskState, number>;
  inboundTotal: number;
}

interface EndpointState {
  readonly owner: TaskState;
  readonly maxFrame: number;
  readonly queueDepth: number;
  readonly queue: FairQueue<TaskState, Message>;
  handler: Handler | undefined;
  busy: Message | undefined;
  closed: boolean;
  pumpScheduled: boolean;
  dropCount: number;
  delayCount: number;
  delayMs: number;
}

interface Message {
  readonly senderServiceId: bigint;
  readonly frame: Uint8Array;
  readonly cap: SendCap | undefined;
  readonly reply: ReplyRight | undefined;
  /** The handler called `keepCap()`: the right stays when it returns. */
  kept: boolean;
  ready: boolean;
  cancelDelay: (() => void) | undefined;
}

/** The one-shot right to answer one call; settling it twice is a no-op. */
interface ReplyRight {
  readonly caller: TaskState;
  settled: boolean;
  cancelTimer: () => void;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: IpcError) => void;
}

const NS_PER_MS = 1_000_000;

/** A handler's result, read once: the frame and right it named, not yet checked. */
interface OutgoingSnapshot {
  readonly frame: unknown;
  readonly cap: unknown;
}

/**
 * Reads a handler's result exactly once. A bare frame is taken as is; an object is snapshotted
 * like an options object (own data properties `frame` and `cap` only), so a getter or Proxy can
 * neither answer two steps differently nor throw into the kernel: it is `SERVER_FAULT`.
 */
function readOutgoing(out: unknown): OutgoingSnapshot | IpcError | undefined {
  if (out === undefined) return undefined;
  if (isByteArray(out)) return { frame: out, cap: undefined };
  if (typeof out !== 'object' || out === null) return { frame: out, cap: undefined };
  try {
    const { frame, cap } = snapshotOptions<{ frame: unknown; cap: unknown }>(out, ['frame', 'cap']);
    return { frame, cap };
  } catch {
    return new IpcError('SERVER_FAULT', 'the server replied with an unreadable value');
  }
}

function settle(right: ReplyRight, outcome: Reply | IpcError): void {
  if (right.settled) return;
  right.settled = true;
  right.cancelTimer();
  right.caller.pendingCalls.delete(right);
  if (outcome instanceof IpcError) right.reject(outcome);
  else right.resolve(outcome);
}

/**
 * The simulated capability microkernel all services of one system run on, in one Node process. It
 * owns identity (a task's `serviceId` is computed here and stamped on every message), capabilities
 * (opaque handles bound to their holder), bounded endpoints, deterministic delivery on a virtual
 * clock, and fault injection. Whoever holds the `Kernel` object plays the boot role.
 *
 * @example
 * const kernel = new Kernel();
 * const server = kernel.spawn('policyd');
 * const ep = kernel.createEndpoint(server);
 * server.serve(ep.recv, (msg) => msg.frame);
 * const client = kernel.spawn('selftest-client');
 * const reply = await client.call(kernel.grant(ep.send, client), new Uint8Array([1]));
 * reply.senderServiceId === server.serviceId; // true
 */
export class Kernel {
  /** The virtual clock (ns since boot). */
  readonly clock: VirtualClock = new VirtualClock();
  /** Fault injection (mute, delay, drop). */
  readonly faults: KernelFaults;
  readonly #tickNs: bigint;
  readonly #idOf: (name: string) => bigint;
  readonly #caps = new WeakMap<object, CapRecord>();
  readonly #tasks = new WeakMap<object, TaskState>();
  readonly #running = new Map<string, TaskState>();
  readonly #realTimer = new RealTimer();

  constructor(options: KernelOptions = {}) {
    const { tickNs = 1_000n, idOf = serviceIdFromName } = snapshotOptions<KernelOptions>(options, ['tickNs', 'idOf']);
    if (typeof tickNs !== 'bigint' || tickNs < 0n) {
      throw new IpcError('INVALID_ARGUMENT', 'tickNs must be a non-negative bigint');
    }
    if (typeof idOf !== 'function') throw new IpcError('INVALID_ARGUMENT', 'idOf must be a function');
    this.#tickNs = tickNs;
    this.#idOf = idOf;
    this.faults = Object.freeze({
      mute: (task: Task): void => {
        this.#task(task).muted = true;
      },
      unmute: (task: Task): void => {
        const state = this.#task(task);
        state.muted = false;
        for (const ep of state.endpoints) this.#schedulePump(ep);
      },
      delayNext: (cap: CapHandle, count: number, ms: number): void => {
        const ep = this.#anyEndpoint(cap);
        ep.delayCount = checkInt(count, 0, IPC_LIMITS.maxQueueDepth, 'count');
        ep.delayMs = checkMs(ms, 'ms');
      },
      dropNext: (cap: CapHandle, count: number): void => {
        this.#anyEndpoint(cap).dropCount = checkInt(count, 0, IPC_LIMITS.maxQueueDepth, 'count');
      },
    });
  }

  /**
   * Starts a task under a canonical service name. Throws `NAME_INVALID` (not 1..48 bytes of
   * `[a-z0-9._-]`), `NAME_TAKEN` (a running task has it), `ID_COLLISION` (its id equals a running
   * task's id) or `LIMIT_REACHED`.
   *
   * @example
   * const policyd = kernel.spawn('policyd'); // policyd.serviceId === 0xc4b6d847aa573fa1n
   */
  spawn(name: string): Task {
    checkName(name);
    if (this.#running.has(name)) throw new IpcError('NAME_TAKEN', `${name} is already running`);
    const serviceId = this.#idOf(name);
    for (const other of this.#running.values()) {
      if (other.serviceId === serviceId) {
        throw new IpcError('ID_COLLISION', `${name} has the same service id as ${other.name}`);
      }
    }
    if (this.#running.size >= IPC_LIMITS.maxTasks) {
      throw new IpcError('LIMIT_REACHED', `at most ${IPC_LIMITS.maxTasks} tasks`);
    }
    const handle: Task = Object.freeze({
      name,
      serviceId,
      get alive(): boolean {
        return state.alive;
      },
      call: (cap: SendCap, frame: Uint8Array, options?: CallOptions): Promise<Reply> =>
        this.#call(state, cap, frame, options),
      send: (cap: SendCap, frame: Uint8Array, options?: SendOptions): void => this.#send(state, cap, frame, options),
      serve: (recv: RecvCap, handler: Handler): void => this.#serve(state, recv, handler),
      duplicate: (cap: SendCap): SendCap => {
        this.#alive(state);
        const record = this.#held(state, cap, 'send');
        this.#checkRoom(state, 1);
        return this.#mint(state, record.endpoint, 'send') as SendCap;
      },
      release: (cap: SendCap): void => {
        this.#alive(state);
        this.#held(state, cap, 'send');
        this.#revoke(cap);
      },
    });
    const state: TaskState = {
      name,
      serviceId,
      handle,
      alive: true,
      muted: false,
      caps: new Set(),
      endpoints: new Set(),
      pendingCalls: new Set(),
      inbound: new Map(),
      inboundTotal: 0,
    };
    this.#tasks.set(handle, state);
    this.#running.set(name, state);
    return handle;
  }

  /**
   * Creates an endpoint owned by `task`; both rights go to `task`. Throws `TASK_DEAD`,
   * `INVALID_ARGUMENT` (bounds out of range) or `LIMIT_REACHED`.
   *
   * @example
   * const { recv, send } = kernel.createEndpoint(logd, { maxFrame: 1024, queueDepth: 32 });
   */
  createEndpoint(task: Task, options?: EndpointOptions): Endpoint {
    const owner = this.#alive(this.#task(task));
    const opts = snapshotOptions<EndpointOptions>(options, ['maxFrame', 'queueDepth', 'maxPerSender']);
    const maxFrame = checkInt(opts.maxFrame ?? 512, 0, IPC_LIMITS.maxFrameBytes, 'maxFrame');
    const queueDepth = checkInt(opts.queueDepth ?? 16, 1, IPC_LIMITS.maxQueueDepth, 'queueDepth');
    const maxPerSender = checkInt(opts.maxPerSender ?? Math.ceil(queueDepth / 2), 1, queueDepth, 'maxPerSender');
    if (owner.endpoints.size >= IPC_LIMITS.maxEndpointsPerTask) {
      throw new IpcError('LIMIT_REACHED', `at most ${IPC_LIMITS.maxEndpointsPerTask} endpoints per task`);
    }
    this.#checkRoom(owner, 2);
    const ep: EndpointState = {
      owner,
      maxFrame,
      queueDepth,
      queue: new FairQueue(queueDepth, maxPerSender),
      handler: undefined,
      busy: undefined,
      closed: false,
      pumpScheduled: false,
      dropCount: 0,
      delayCount: 0,
      delayMs: 0,
    };
    owner.endpoints.add(ep);
    return Object.freeze({ recv: this.#mint(owner, ep, 'recv') as RecvCap, send: this.#mint(owner, ep, 'send') as SendCap });
  }

  /**
   * Boot-time wiring: gives `to` its own copy of a live send right. Throws `NO_RIGHT` (not a live
   * send right of this kernel), `TASK_DEAD` or `LIMIT_REACHED`.
   *
   * @example
   * const route = kernel.grant(policydEp.send, keystored);
   */
  grant(send: SendCap, to: Task): SendCap {
    const record = this.#caps.get(send);
    if (record === undefined || record.kind !== 'send') {
      throw new IpcError('NO_RIGHT', 'not a live send right of this kernel');
    }
    const holder = this.#alive(this.#task(to));
    this.#checkRoom(holder, 1);
    return this.#mint(holder, record.endpoint, 'send') as SendCap;
  }

  /**
   * Kills a task: its endpoints close (queued and in-flight calls to it reject `PEER_CLOSED`, later
   * sends throw `PEER_CLOSED`), its own pending calls reject `TASK_DEAD`, its rights are released
   * and its name is free again. Killing a dead task does nothing.
   *
   * @example
   * kernel.kill(policyd);
   */
  kill(task: Task): void {
    const state = this.#task(task);
    if (!state.alive) return;
    state.alive = false;
    this.#running.delete(state.name);
    for (const ep of state.endpoints) {
      ep.closed = true;
      ep.handler = undefined;
      const closed = new IpcError('PEER_CLOSED', `${state.name} exited`);
      for (const msg of ep.queue.drain()) {
        msg.cancelDelay?.();
        if (msg.reply) settle(msg.reply, closed);
      }
      if (ep.busy?.reply) settle(ep.busy.reply, closed);
    }
    for (const right of [...state.pendingCalls]) settle(right, new IpcError('TASK_DEAD', 'caller exited'));
    for (const cap of [...state.caps]) this.#revoke(cap);
  }

  /**
   * How many rights `task` holds now (boot role and tests: a server's table must never be filled
   * from outside). Throws `INVALID_ARGUMENT` for a task of another kernel.
   *
   * @example
   * kernel.rightsHeld(init.task) <= IPC_LIMITS.maxCapsPerTask; // true
   */
  rightsHeld(task: Task): number {
    return this.#task(task).caps.size;
  }

  #task(task: Task): TaskState {
    const state = typeof task === 'object' && task !== null ? this.#tasks.get(task) : undefined;
    if (state === undefined) throw new IpcError('INVALID_ARGUMENT', 'not a task of this kernel');
    return state;
  }

  #alive(state: TaskState): TaskState {
    if (!state.alive) throw new IpcError('TASK_DEAD', `${state.name} is not running`);
    return state;
  }

  #record(cap: unknown): CapRecord | undefined {
    return typeof cap === 'object' && cap !== null ? this.#caps.get(cap) : undefined;
  }

  #held(holder: TaskState, cap: unknown, kind: 'send' | 'recv'): CapRecord {
    const record = this.#record(cap);
    if (record === undefined || record.holder !== holder || record.kind !== kind) {
      throw new IpcError('NO_RIGHT', `${holder.name} holds no such ${kind} right`);
    }
    return record;
  }

  #anyEndpoint(cap: unknown): EndpointState {
    const record = this.#record(cap);
    if (record === undefined) throw new IpcError('NO_RIGHT', 'not a live right of this kernel');
    return record.endpoint;
  }

  #checkRoom(holder: TaskState, n: number): void {
    if (holder.caps.size + n > IPC_LIMITS.maxCapsPerTask) {
      throw new IpcError('LIMIT_REACHED', `${holder.name} holds ${IPC_LIMITS.maxCapsPerTask} rights already`);
    }
  }

  /**
   * Whether `to` may take one more right from `from`'s message: no sender may fill more than
   * `maxInboundCapsPerSender` of another task's table, and all senders together no more than
   * `maxInboundCaps`, so a server always keeps room for rights of its own.
   */
  #checkInbound(to: TaskState, from: TaskState): void {
    if (to === from) return;
    if ((to.inbound.get(from) ?? 0) >= IPC_LIMITS.maxInboundCapsPerSender) {
      throw new IpcError('LIMIT_REACHED', `${to.name} holds ${IPC_LIMITS.maxInboundCapsPerSender} rights from ${from.name} already`);
    }
    if (to.inboundTotal >= IPC_LIMITS.maxInboundCaps) {
      throw new IpcError('LIMIT_REACHED', `${to.name} holds ${IPC_LIMITS.maxInboundCaps} rights from others already`);
    }
  }

  #mint(holder: TaskState, endpoint: EndpointState, kind: 'send' | 'recv', origin?: TaskState): CapHandle {
    const handle: CapHandle = Object.freeze(kind === 'send' ? { kind: 'send' as const } : { kind: 'recv' as const });
    const counted = origin !== undefined && origin !== holder ? origin : undefined;
    this.#caps.set(handle, { kind, endpoint, holder, origin: counted });
    holder.caps.add(handle);
    if (counted !== undefined) {
      holder.inbound.set(counted, (holder.inbound.get(counted) ?? 0) + 1);
      holder.inboundTotal++;
    }
    return handle;
  }

  #revoke(cap: CapHandle): void {
    const record = this.#caps.get(cap);
    if (record === undefined) return;
    this.#caps.delete(cap);
    const { holder, origin } = record;
    holder.caps.delete(cap);
    if (origin !== undefined) {
      const left = (holder.inbound.get(origin) ?? 1) - 1;
      if (left > 0) holder.inbound.set(origin, left);
      else holder.inbound.delete(origin);
      holder.inboundTotal--;
    }
  }

  /**
   * Moves a held send right to `to`: the old handle dies, `to` gets a fresh one. `origin` is the
   * sender when the right travels with a message (counted against its share of `to`'s table).
   */
  #move(cap: SendCap, to: TaskState, origin?: TaskState): SendCap {
    const record = this.#caps.get(cap)!;
    this.#revoke(cap);
    return this.#mint(to, record.endpoint, 'send', origin) as SendCap;
  }

  /** Every check of a send or call, in a fixed order, before anything is queued or moved. */
  /**
   * Every check of a send or call, in a fixed order, before anything is queued or moved. The frame
   * is measured by its internal length and bounded before a single byte is copied; `moved` comes
   * from the options snapshot, so the right checked here is the right moved later.
   */
  #admit(from: TaskState, cap: unknown, frame: unknown, moved: unknown): { ep: EndpointState; frame: Uint8Array } {
    this.#alive(from);
    const view = frameView(frame);
    const ep = this.#held(from, cap, 'send').endpoint;
    if (ep.closed) throw new IpcError('PEER_CLOSED', 'the endpoint is closed');
    const length = frameLength(view);
    if (length > ep.maxFrame) {
      throw new IpcError('FRAME_TOO_LARGE', `${length} bytes exceed the endpoint's ${ep.maxFrame}`);
    }
    const room = ep.queue.room(from);
    if (room === 'full') throw new IpcError('QUEUE_FULL', `${ep.queueDepth} messages waiting`);
    if (room === 'share') throw new IpcError('QUEUE_FULL', `${from.name} has its ${ep.queue.perSender} messages waiting`);
    if (moved !== undefined) {
      this.#held(from, moved, 'send');
      this.#checkRoom(ep.owner, 1);
      this.#checkInbound(ep.owner, from);
    }
    return { ep, frame: copyFrame(view) };
  }

  #send(from: TaskState, cap: SendCap, frame: Uint8Array, options: SendOptions | undefined): void {
    const { cap: moved } = snapshotOptions<SendOptions>(options, ['cap']);
    const admitted = this.#admit(from, cap, frame, moved);
    this.#enqueue(from, admitted.ep, admitted.frame, moved, undefined);
  }

  #call(from: TaskState, cap: SendCap, frame: Uint8Array, options: CallOptions | undefined): Promise<Reply> {
    try {
      const opts = snapshotOptions<CallOptions>(options, ['cap', 'timeoutMs']);
      const timeoutMs = checkMs(opts.timeoutMs ?? 1000, 'timeoutMs');
      const admitted = this.#admit(from, cap, frame, opts.cap);
      if (from.pendingCalls.size >= IPC_LIMITS.maxPendingCallsPerTask) {
        throw new IpcError('LIMIT_REACHED', `at most ${IPC_LIMITS.maxPendingCallsPerTask} pending calls per task`);
      }
      return new Promise<Reply>((resolve, reject) => {
        const right: ReplyRight = { caller: from, settled: false, cancelTimer: () => {}, resolve, reject };
        right.cancelTimer = this.#deadline(timeoutMs, () =>
          settle(right, new IpcError('TIMEOUT', `no reply within ${timeoutMs} ms`)),
        );
        from.pendingCalls.add(right);
        this.#enqueue(from, admitted.ep, admitted.frame, opts.cap, right);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Runs `fire` once the virtual clock reaches now + `ms`. A real deadline of `ms` (on the kernel's
   * one shared real timer) moves the clock there if nothing else does, so nothing waits forever;
   * whichever comes first cancels the other.
   */
  #deadline(ms: number, fire: () => void): () => void {
    const at = this.clock.now() + BigInt(Math.round(ms * NS_PER_MS));
    const cancelReal = this.#realTimer.schedule(ms, () => this.clock.advanceTo(at));
    const cancelVirtual = this.clock.schedule(at, () => {
      cancelReal();
      fire();
    });
    return () => {
      cancelReal();
      cancelVirtual();
    };
  }

  #enqueue(
    from: TaskState,
    ep: EndpointState,
    frame: Uint8Array,
    moved: SendCap | undefined,
    reply: ReplyRight | undefined,
  ): void {
    const cap = moved === undefined ? undefined : this.#move(moved, ep.owner, from);
    if (ep.dropCount > 0) {
      ep.dropCount--;
      if (cap !== undefined) this.#revoke(cap);
      return;
    }
    const msg: Message = {
      senderServiceId: from.serviceId,
      frame,
      cap,
      reply,
      kept: false,
      ready: true,
      cancelDelay: undefined,
    };
    if (ep.delayCount > 0) {
      ep.delayCount--;
      msg.ready = false;
      msg.cancelDelay = this.#deadline(ep.delayMs, () => {
        msg.ready = true;
        this.#schedulePump(ep);
      });
    }
    ep.queue.push(from, msg);
    this.#schedulePump(ep);
  }

  #serve(state: TaskState, recv: RecvCap, handler: Handler): void {
    this.#alive(state);
    const ep = this.#held(state, recv, 'recv').endpoint;
    if (typeof handler !== 'function') throw new IpcError('INVALID_ARGUMENT', 'handler must be a function');
    if (ep.handler !== undefined) throw new IpcError('INVALID_ARGUMENT', 'the endpoint is already served');
    ep.handler = handler;
    this.#schedulePump(ep);
  }

  /** Delivery always runs from a microtask, never inside the sender's call stack. */
  #schedulePump(ep: EndpointState): void {
    if (ep.pumpScheduled) return;
    ep.pumpScheduled = true;
    queueMicrotask(() => {
      ep.pumpScheduled = false;
      this.#pump(ep);
    });
  }

  #pump(ep: EndpointState): void {
    const handler = ep.handler;
    if (handler === undefined || ep.busy !== undefined || ep.owner.muted) return;
    const msg = ep.queue.take((m) => m.ready);
    if (msg === undefined) return;
    ep.busy = msg;
    this.clock.advance(this.#tickNs);
    const incoming: Incoming = Object.freeze({
      senderServiceId: msg.senderServiceId,
      frame: msg.frame,
      cap: msg.cap,
      receivedAtNs: this.clock.now(),
      keepCap: (): SendCap | undefined => {
        // Only while this message is being handled, and only a right still in the receiver's table.
        if (ep.busy !== msg || msg.cap === undefined || this.#caps.get(msg.cap) === undefined) return undefined;
        msg.kept = true;
        return msg.cap;
      },
    });
    let result: Promise<Outgoing>;
    try {
      result = Promise.resolve(handler(incoming));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (out) => this.#finish(ep, msg, out, false),
      () => this.#finish(ep, msg, undefined, true),
    );
  }

  #finish(ep: EndpointState, msg: Message, out: Outgoing, failed: boolean): void {
    ep.busy = undefined;
    this.#schedulePump(ep);
    // The handler's result is read exactly once; every later step uses this snapshot.
    const reply = failed ? undefined : readOutgoing(out);
    let outcome: Reply | IpcError | undefined;
    if (msg.reply !== undefined && !msg.reply.settled) {
      outcome = this.#replyOf(ep, msg.reply, reply, failed);
      settle(msg.reply, outcome);
    }
    if (!(outcome !== undefined && !(outcome instanceof IpcError) && outcome.cap !== undefined)) {
      this.#releaseUndelivered(ep, reply);
    }
    // A right the sender pushed along is released unless the handler kept it: no peer can fill
    // the receiver's table with rights it never asked for. Forwarded or replied, it is gone already.
    if (msg.cap !== undefined && !msg.kept) this.#revoke(msg.cap);
  }

  /**
   * A right the server attached to a reply that never reached its caller (the caller timed out or
   * died, or the reply was refused) is released: the server gave it away, so it must not keep a
   * copy that piles up toward its rights limit.
   */
  #releaseUndelivered(ep: EndpointState, reply: OutgoingSnapshot | IpcError | undefined): void {
    if (reply === undefined || reply instanceof IpcError) return;
    const record = reply.cap === undefined ? undefined : this.#record(reply.cap);
    if (record !== undefined && record.holder === ep.owner && record.kind === 'send') this.#revoke(reply.cap as SendCap);
  }

  /** Turns a handler's result into the caller's outcome. The handler's error never reaches the caller. */
  #replyOf(
    ep: EndpointState,
    right: ReplyRight,
    out: OutgoingSnapshot | IpcError | undefined,
    failed: boolean,
  ): Reply | IpcError {
    if (failed) return new IpcError('SERVER_FAULT', 'the server failed to handle the call');
    if (out === undefined) return new IpcError('NO_REPLY', 'the server did not reply');
    if (out instanceof IpcError) return out;
    let view: Uint8Array;
    try {
      view = frameView(out.frame);
    } catch {
      return new IpcError('SERVER_FAULT', 'the server replied with no frame');
    }
    const length = frameLength(view);
    if (length > ep.maxFrame) return new IpcError('FRAME_TOO_LARGE', `reply of ${length} bytes exceeds ${ep.maxFrame}`);
    const { cap } = out;
    if (cap !== undefined) {
      const record = this.#record(cap);
      if (record === undefined || record.holder !== ep.owner || record.kind !== 'send') {
        return new IpcError('SERVER_FAULT', 'the server replied with a right it does not hold');
      }
      if (right.caller.caps.size >= IPC_LIMITS.maxCapsPerTask) {
        return new IpcError('LIMIT_REACHED', `${right.caller.name} cannot hold another right`);
      }
    }
    return Object.freeze({
      frame: copyFrame(view),
      cap: cap === undefined ? undefined : this.#move(cap as SendCap, right.caller),
      senderServiceId: ep.owner.serviceId,
    });
  }
}
