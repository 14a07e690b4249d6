import type { RecvCap, SendCap } from './cap.js';
import { IpcError } from './ipc-error.js';
import { IPC_LIMITS } from './ipc-limits.js';
import type { KernelFaults } from './kernel-faults.js';
import { checkInt, checkMs, checkName, snapshotOptions } from './kernel/check-args.js';
import { FairQueue } from './kernel/fair-queue.js';
import { PendingCalls } from './kernel/pending-calls.js';
import { SlotQueue } from './kernel/slot-queue.js';
import { CapTable } from './kernel/cap-table.js';
import { copyFrame, frameLength, isByteArray } from './kernel/frame-bytes.js';
import type { CapHandle, EndpointState, Message, ReplyRight, TaskState } from './kernel/kernel-state.js';
import { CallRight, deadline, msToNs, readOutgoing, settle, type OutgoingSnapshot } from './kernel/reply-right.js';
import { serviceIdFromName } from './service-id.js';
import { RealTimer } from './real-timer.js';
import type { CallOptions, Handler, Incoming, Outgoing, Reply, SendOptions, ServeOptions, Task } from './task.js';
import { VirtualClock } from './virtual-clock.js';

const apply = Reflect.apply;
/** Captured once: scheduling a pump neither reads the global `queueMicrotask` nor a patched `then`. */
const promiseThen = Promise.prototype.then as (this: Promise<void>, onFulfilled: () => void) => Promise<void>;
const RESOLVED: Promise<void> = Promise.resolve();
/** `FairQueue.take`'s test, one function for every delivery. */
const isReady = (msg: Message): boolean => msg.ready;
const NO_FRAME = new Uint8Array(0);
/** `Incoming.keepCap` of a message that carried no right. */
const keepNothing = (): SendCap | undefined => undefined;


/** What one delivery did: nothing to hand over, a handler that answered at once, one still working. */
const NONE = 0;
const DONE = 1;
const BUSY = 2;
type Delivery = typeof NONE | typeof DONE | typeof BUSY;

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
  readonly #rights = new CapTable();
  readonly #tasks = new WeakMap<object, TaskState>();
  readonly #running = new Map<string, TaskState>();
  readonly #realTimer = new RealTimer();
  readonly #nsOf: (ms: number) => bigint = msToNs();
  #admittedFrame: Uint8Array = NO_FRAME;

  constructor(options: KernelOptions = {}) {
    const { tickNs = 1_000n, idOf = serviceIdFromName } = snapshotOptions<KernelOptions>(options, ['tickNs', 'idOf']);
    if (typeof tickNs !== 'bigint' || tickNs < 0n) {
      throw new IpcError('BAD_VALUE', 'tickNs must be a non-negative bigint');
    }
    if (typeof idOf !== 'function') throw new IpcError('BAD_VALUE', 'idOf must be a function');
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
        const ep = this.#rights.anyEndpoint(cap);
        ep.delayCount = checkInt(count, 0, IPC_LIMITS.maxQueueDepth, 'count');
        ep.delayMs = checkMs(ms, 'ms');
      },
      dropNext: (cap: CapHandle, count: number): void => {
        this.#rights.anyEndpoint(cap).dropCount = checkInt(count, 0, IPC_LIMITS.maxQueueDepth, 'count');
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
      serve: (recv: RecvCap, handler: Handler, options?: ServeOptions): void => this.#serve(state, recv, handler, options),
      duplicate: (cap: SendCap): SendCap => {
        this.#alive(state);
        const record = this.#rights.held(state, cap, 'send');
        this.#rights.checkRoom(state, 1);
        return this.#rights.mint(state, record.endpoint, 'send') as SendCap;
      },
      release: (cap: SendCap): void => {
        this.#alive(state);
        this.#rights.held(state, cap, 'send');
        this.#rights.revoke(cap);
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
      pendingCalls: new PendingCalls(),
      inbound: new Map(),
      inboundTotal: 0,
    };
    this.#tasks.set(handle, state);
    this.#running.set(name, state);
    return handle;
  }

  /**
   * Creates an endpoint owned by `task`; both rights go to `task`. Throws `TASK_DEAD`,
   * `BAD_VALUE` (bounds out of range) or `LIMIT_REACHED`.
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
    this.#rights.checkRoom(owner, 2);
    const ep: EndpointState = {
      owner,
      maxFrame,
      queueDepth,
      queue: new FairQueue(queueDepth, maxPerSender),
      handler: undefined,
      busy: new SlotQueue(),
      concurrency: 1,
      closed: false,
      pumpScheduled: false,
      pumpJob: (): void => {
        ep.pumpScheduled = false;
        this.#pump(ep);
      },
      dropCount: 0,
      delayCount: 0,
      delayMs: 0,
    };
    owner.endpoints.add(ep);
    return Object.freeze({ recv: this.#rights.mint(owner, ep, 'recv') as RecvCap, send: this.#rights.mint(owner, ep, 'send') as SendCap });
  }

  /**
   * Boot-time wiring: gives `to` its own copy of a live send right. Throws `NO_RIGHT` (not a live
   * send right of this kernel), `TASK_DEAD` or `LIMIT_REACHED`.
   *
   * @example
   * const route = kernel.grant(policydEp.send, keystored);
   */
  grant(send: SendCap, to: Task): SendCap {
    const record = this.#rights.record(send);
    if (record === undefined || record.kind !== 'send') {
      throw new IpcError('NO_RIGHT', 'not a live send right of this kernel');
    }
    const holder = this.#alive(this.#task(to));
    this.#rights.checkRoom(holder, 1);
    return this.#rights.mint(holder, record.endpoint, 'send') as SendCap;
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
      for (const busy of ep.busy.toArray()) if (busy.reply) settle(busy.reply, closed);
    }
    for (const right of state.pendingCalls.snapshot()) settle(right, new IpcError('TASK_DEAD', 'caller exited'));
    for (const cap of [...state.caps]) this.#rights.revoke(cap);
  }

  /**
   * How many rights `task` holds now (boot role and tests: a server's table must never be filled
   * from outside). Throws `BAD_VALUE` for a task of another kernel.
   *
   * @example
   * kernel.rightsHeld(init.task) <= IPC_LIMITS.maxCapsPerTask; // true
   */
  rightsHeld(task: Task): number {
    return this.#task(task).caps.size;
  }

  #task(task: Task): TaskState {
    const state = typeof task === 'object' && task !== null ? this.#tasks.get(task) : undefined;
    if (state === undefined) throw new IpcError('BAD_VALUE', 'not a task of this kernel');
    return state;
  }

  #alive(state: TaskState): TaskState {
    if (!state.alive) throw new IpcError('TASK_DEAD', `${state.name} is not running`);
    return state;
  }

  /**
   * Every check of a send or call, in a fixed order, before anything is queued or moved. The frame
   * is measured by its internal length and bounded before a single byte is copied; `moved` comes
   * from the options snapshot, so the right checked here is the right moved later. Returns the
   * endpoint; the frame's private copy is left in `#admittedFrame` for the caller to take at once
   * (a result object per message would be one more allocation on every send and call).
   */
  #admit(from: TaskState, cap: unknown, frame: unknown, moved: unknown): EndpointState {
    this.#alive(from);
    const length = frameLength(frame);
    const ep = this.#rights.held(from, cap, 'send').endpoint;
    if (ep.closed) throw new IpcError('PEER_CLOSED', 'the endpoint is closed');
    if (length > ep.maxFrame) {
      throw new IpcError('FRAME_TOO_LARGE', `${length} bytes exceed the endpoint's ${ep.maxFrame}`);
    }
    const room = ep.queue.room(from);
    if (room === 'full') throw new IpcError('QUEUE_FULL', `${ep.queueDepth} messages waiting`);
    if (room === 'share') throw new IpcError('QUEUE_FULL', `${from.name} has its ${ep.queue.perSender} messages waiting`);
    if (moved !== undefined) {
      this.#rights.held(from, moved, 'send');
      this.#rights.checkRoom(ep.owner, 1);
      this.#rights.checkInbound(ep.owner, from);
    }
    this.#admittedFrame = copyFrame(frame as Uint8Array, length);
    return ep;
  }

  /** The copy `#admit` just made; the slot is cleared so no frame stays reachable from the kernel. */
  #takeAdmitted(): Uint8Array {
    const copy = this.#admittedFrame;
    this.#admittedFrame = NO_FRAME;
    return copy;
  }

  #send(from: TaskState, cap: SendCap, frame: Uint8Array, options: SendOptions | undefined): void {
    const { cap: moved } = snapshotOptions<SendOptions>(options, ['cap']);
    const ep = this.#admit(from, cap, frame, moved);
    this.#enqueue(from, ep, this.#takeAdmitted(), moved, undefined);
  }

  #call(from: TaskState, cap: SendCap, frame: Uint8Array, options: CallOptions | undefined): Promise<Reply> {
    let right: CallRight | undefined;
    try {
      const opts = snapshotOptions<CallOptions>(options, ['cap', 'timeoutMs']);
      const timeoutMs = checkMs(opts.timeoutMs ?? 1000, 'timeoutMs');
      const ep = this.#admit(from, cap, frame, opts.cap);
      const copy = this.#takeAdmitted();
      if (from.pendingCalls.size >= IPC_LIMITS.maxPendingCallsPerTask) {
        throw new IpcError('LIMIT_REACHED', `at most ${IPC_LIMITS.maxPendingCallsPerTask} pending calls per task`);
      }
      right = new CallRight(from, this.clock, this.#realTimer, timeoutMs, this.#nsOf(timeoutMs));
      right.arm();
      from.pendingCalls.add(right);
      this.#enqueue(from, ep, copy, opts.cap, right);
      return right.promise;
    } catch (error) {
      if (right === undefined) return Promise.reject(error);
      // Not reachable today (every check ran above); a right already armed must not outlive it.
      settle(right, error instanceof IpcError ? error : new IpcError('BAD_VALUE', 'the call could not be made'));
      return right.promise;
    }
  }

  #enqueue(
    from: TaskState,
    ep: EndpointState,
    frame: Uint8Array,
    moved: SendCap | undefined,
    reply: ReplyRight | undefined,
  ): void {
    const cap = moved === undefined ? undefined : this.#rights.move(moved, ep.owner, from);
    if (ep.dropCount > 0) {
      ep.dropCount--;
      if (cap !== undefined) this.#rights.revoke(cap);
      return;
    }
    let msg: Message;
    if (reply === undefined) {
      msg = { senderServiceId: from.serviceId, frame, cap, reply, kept: false, handling: false, ready: true, cancelDelay: undefined };
    } else {
      reply.load(from.serviceId, frame, cap);
      msg = reply;
    }
    if (ep.delayCount > 0) {
      ep.delayCount--;
      msg.ready = false;
      msg.cancelDelay = deadline(this.clock, this.#realTimer, ep.delayMs, () => {
        msg.ready = true;
        this.#schedulePump(ep);
      });
    }
    ep.queue.push(from, msg);
    this.#schedulePump(ep);
  }

  #serve(state: TaskState, recv: RecvCap, handler: Handler, options: ServeOptions | undefined): void {
    this.#alive(state);
    const ep = this.#rights.held(state, recv, 'recv').endpoint;
    if (typeof handler !== 'function') throw new IpcError('BAD_VALUE', 'handler must be a function');
    if (ep.handler !== undefined) throw new IpcError('BAD_VALUE', 'the endpoint is already served');
    const concurrency = options?.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > IPC_LIMITS.maxServeConcurrency) {
      throw new IpcError('BAD_VALUE', `concurrency must be an integer in 1..${IPC_LIMITS.maxServeConcurrency}`);
    }
    ep.concurrency = concurrency;
    ep.handler = handler;
    this.#schedulePump(ep);
  }

  /** Delivery always runs from a microtask, never inside the sender's call stack. */
  #schedulePump(ep: EndpointState): void {
    if (ep.pumpScheduled) return;
    ep.pumpScheduled = true;
    apply(promiseThen, RESOLVED, [ep.pumpJob]);
  }

  /**
   * Hands over messages until none can be now. A handler that answered synchronously ends the run
   * (the next message gets a microtask of its own), so other endpoints and callers interleave with
   * a busy endpoint as they did when every answer took a microtask.
   */
  #pump(ep: EndpointState): void {
    for (;;) {
      const delivered = this.#deliverOne(ep);
      if (delivered === NONE) return;
      if (delivered === DONE) {
        if (ep.queue.size > 0) this.#schedulePump(ep);
        return;
      }
    }
  }

  /**
   * Hands the next ready message to the handler. A result that is no promise (the usual frame, or
   * nothing) is finished at once: waiting a microtask for it would change nothing but cost a
   * promise, two closures and a hop. The result is read exactly as `Promise.resolve` would read
   * it (a real `Uint8Array`'s `then` once, a primitive not at all); anything else goes through
   * `Promise.resolve` as before.
   */
  #deliverOne(ep: EndpointState): Delivery {
    const handler = ep.handler;
    if (handler === undefined || ep.busy.length >= ep.concurrency || ep.owner.muted) return NONE;
    const msg = ep.queue.take(isReady);
    if (msg === undefined) return NONE;
    ep.busy.push(msg);
    msg.handling = true;
    this.clock.advance(this.#tickNs);
    const incoming: Incoming = Object.freeze({
      senderServiceId: msg.senderServiceId,
      frame: msg.frame,
      cap: msg.cap,
      receivedAtNs: this.clock.now(),
      // A message without a right can never keep one: one shared function instead of a closure each.
      keepCap:
        msg.cap === undefined
          ? keepNothing
          : (): SendCap | undefined => {
              // Only while this message is being handled, and only a right still in the receiver's table.
              if (!msg.handling || msg.cap === undefined || this.#rights.record(msg.cap) === undefined) return undefined;
              msg.kept = true;
              return msg.cap;
            },
    });
    let out: unknown;
    try {
      out = handler(incoming);
    } catch {
      this.#finish(ep, msg, undefined, true);
      return DONE;
    }
    let result: PromiseLike<unknown>;
    if (typeof out !== 'object' && typeof out !== 'function') {
      this.#finish(ep, msg, out as Outgoing, false);
      return DONE;
    }
    try {
      if (isByteArray(out)) {
        const then = (out as { then?: unknown }).then;
        if (typeof then !== 'function') {
          this.#finish(ep, msg, out, false);
          return DONE;
        }
        result = thenable(out, then);
      } else {
        result = Promise.resolve(out);
      }
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (value) => this.#later(ep, msg, value as Outgoing, false),
      () => this.#later(ep, msg, undefined, true),
    );
    return BUSY;
  }

  /** A handler's promise settled: its slot is free again, so the pump may run. */
  #later(ep: EndpointState, msg: Message, out: Outgoing, failed: boolean): void {
    this.#finish(ep, msg, out, failed);
    if (ep.queue.size > 0) this.#schedulePump(ep);
  }

  #finish(ep: EndpointState, msg: Message, out: Outgoing, failed: boolean): void {
    msg.handling = false;
    ep.busy.remove(msg);
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
    if (msg.cap !== undefined && !msg.kept) this.#rights.revoke(msg.cap);
  }

  /**
   * A right the server attached to a reply that never reached its caller (the caller timed out or
   * died, or the reply was refused) is released: the server gave it away, so it must not keep a
   * copy that piles up toward its rights limit.
   */
  #releaseUndelivered(ep: EndpointState, reply: Uint8Array | OutgoingSnapshot | IpcError | undefined): void {
    if (reply === undefined || reply instanceof IpcError || isByteArray(reply)) return;
    const record = reply.cap === undefined ? undefined : this.#rights.record(reply.cap);
    if (record !== undefined && record.holder === ep.owner && record.kind === 'send') this.#rights.revoke(reply.cap as SendCap);
  }

  /** Turns a handler's result into the caller's outcome. The handler's error never reaches the caller. */
  #replyOf(
    ep: EndpointState,
    right: ReplyRight,
    out: Uint8Array | OutgoingSnapshot | IpcError | undefined,
    failed: boolean,
  ): Reply | IpcError {
    if (failed) return new IpcError('SERVER_FAULT', 'the server failed to handle the call');
    if (out === undefined) return new IpcError('NO_REPLY', 'the server did not reply');
    if (out instanceof IpcError) return out;
    const bare = isByteArray(out);
    const frame = bare ? out : out.frame;
    const cap = bare ? undefined : out.cap;
    let length: number;
    try {
      length = frameLength(frame);
    } catch {
      return new IpcError('SERVER_FAULT', 'the server replied with no frame');
    }
    if (length > ep.maxFrame) return new IpcError('FRAME_TOO_LARGE', `reply of ${length} bytes exceeds ${ep.maxFrame}`);
    if (cap !== undefined) {
      const record = this.#rights.record(cap);
      if (record === undefined || record.holder !== ep.owner || record.kind !== 'send') {
        return new IpcError('SERVER_FAULT', 'the server replied with a right it does not hold');
      }
      if (right.caller.caps.size >= IPC_LIMITS.maxCapsPerTask) {
        return new IpcError('LIMIT_REACHED', `${right.caller.name} cannot hold another right`);
      }
    }
    return Object.freeze({
      frame: copyFrame(frame as Uint8Array, length),
      cap: cap === undefined ? undefined : this.#rights.move(cap as SendCap, right.caller),
      senderServiceId: ep.owner.serviceId,
    });
  }
}

/**
 * What `Promise.resolve` makes of an object whose `then` it read as a function: a promise settled
 * by calling that `then` from a microtask, with a throw rejecting it. `then` is passed in, so the
 * object's `then` is read once.
 */
function thenable(target: object, then: Function): Promise<unknown> {
  return new Promise((resolve, reject) => {
    apply(promiseThen, RESOLVED, [
      (): void => {
        try {
          apply(then, target, [resolve, reject]);
        } catch (error) {
          reject(error);
        }
      },
    ]);
  });
}
