import type { RecvCap, SendCap } from './cap.js';
import { IpcError } from './ipc-error.js';
import { IPC_LIMITS } from './ipc-limits.js';
import type { KernelFaults } from './kernel-faults.js';
import { serviceIdFromName } from './service-id.js';
import { RealTimer } from './real-timer.js';
import { isServiceName } from './service-name.js';
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
}

interface EndpointState {
  readonly owner: TaskState;
  readonly maxFrame: number;
  readonly queueDepth: number;
  readonly queue: Message[];
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

function checkName(name: unknown): string {
  if (!isServiceName(name)) {
    throw new IpcError('NAME_INVALID', `a service name is 1..${IPC_LIMITS.maxNameBytes} bytes of [a-z0-9._-]`);
  }
  return name;
}

function checkInt(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new IpcError('INVALID_ARGUMENT', `${what} must be an integer in ${min}..${max}`);
  }
  return value;
}

function checkMs(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > IPC_LIMITS.maxTimeoutMs) {
    throw new IpcError('INVALID_ARGUMENT', `${what} must be a number of ms in 0..${IPC_LIMITS.maxTimeoutMs}`);
  }
  return value;
}

/** Refuses anything but a plain options object with known keys, so no extra field is silently ignored. */
function checkOptions<T extends object>(options: unknown, allowed: readonly string[]): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new IpcError('INVALID_ARGUMENT', 'options must be an object');
  }
  for (const key of Reflect.ownKeys(options)) {
    if (typeof key !== 'string' || !allowed.includes(key)) {
      throw new IpcError('INVALID_ARGUMENT', `unknown option ${String(key)}`);
    }
  }
  return options as Partial<T>;
}

function checkFrame(frame: unknown): Uint8Array {
  if (!(frame instanceof Uint8Array)) {
    throw new IpcError('INVALID_ARGUMENT', 'a frame must be a Uint8Array');
  }
  return frame;
}

/**
 * A private plain copy, so a sender mutating its buffer later cannot change what was sent
 * (`new Uint8Array(x)` copies even when `x` is a Buffer, whose `slice` would share memory).
 */
function copyFrame(frame: Uint8Array): Uint8Array {
  return new Uint8Array(frame);
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
    const { tickNs = 1_000n, idOf = serviceIdFromName } = checkOptions<KernelOptions>(options, ['tickNs', 'idOf']);
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
    const opts = checkOptions<EndpointOptions>(options, ['maxFrame', 'queueDepth']);
    const maxFrame = checkInt(opts.maxFrame ?? 512, 0, IPC_LIMITS.maxFrameBytes, 'maxFrame');
    const queueDepth = checkInt(opts.queueDepth ?? 16, 1, IPC_LIMITS.maxQueueDepth, 'queueDepth');
    if (owner.endpoints.size >= IPC_LIMITS.maxEndpointsPerTask) {
      throw new IpcError('LIMIT_REACHED', `at most ${IPC_LIMITS.maxEndpointsPerTask} endpoints per task`);
    }
    this.#checkRoom(owner, 2);
    const ep: EndpointState = {
      owner,
      maxFrame,
      queueDepth,
      queue: [],
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
      for (const msg of ep.queue.splice(0)) {
        msg.cancelDelay?.();
        if (msg.reply) settle(msg.reply, closed);
      }
      if (ep.busy?.reply) settle(ep.busy.reply, closed);
    }
    for (const right of [...state.pendingCalls]) settle(right, new IpcError('TASK_DEAD', 'caller exited'));
    for (const cap of [...state.caps]) this.#revoke(cap);
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

  #mint(holder: TaskState, endpoint: EndpointState, kind: 'send' | 'recv'): CapHandle {
    const handle: CapHandle = Object.freeze(kind === 'send' ? { kind: 'send' as const } : { kind: 'recv' as const });
    this.#caps.set(handle, { kind, endpoint, holder });
    holder.caps.add(handle);
    return handle;
  }

  #revoke(cap: CapHandle): void {
    const record = this.#caps.get(cap);
    if (record === undefined) return;
    this.#caps.delete(cap);
    record.holder.caps.delete(cap);
  }

  /** Moves a held send right to `to`: the old handle dies, `to` gets a fresh one. */
  #move(cap: SendCap, to: TaskState): SendCap {
    const record = this.#caps.get(cap)!;
    this.#revoke(cap);
    return this.#mint(to, record.endpoint, 'send') as SendCap;
  }

  /** Every check of a send or call, in a fixed order, before anything is queued or moved. */
  #admit(from: TaskState, cap: unknown, frame: unknown, moved: unknown): { ep: EndpointState; frame: Uint8Array } {
    this.#alive(from);
    const checked = checkFrame(frame);
    const ep = this.#held(from, cap, 'send').endpoint;
    if (ep.closed) throw new IpcError('PEER_CLOSED', 'the endpoint is closed');
    if (checked.byteLength > ep.maxFrame) {
      throw new IpcError('FRAME_TOO_LARGE', `${checked.byteLength} bytes exceed the endpoint's ${ep.maxFrame}`);
    }
    if (ep.queue.length >= ep.queueDepth) throw new IpcError('QUEUE_FULL', `${ep.queueDepth} messages waiting`);
    if (moved !== undefined) {
      this.#held(from, moved, 'send');
      this.#checkRoom(ep.owner, 1);
    }
    return { ep, frame: copyFrame(checked) };
  }

  #send(from: TaskState, cap: SendCap, frame: Uint8Array, options: SendOptions | undefined): void {
    const { cap: moved } = checkOptions<SendOptions>(options, ['cap']);
    const admitted = this.#admit(from, cap, frame, moved);
    this.#enqueue(from, admitted.ep, admitted.frame, moved, undefined);
  }

  #call(from: TaskState, cap: SendCap, frame: Uint8Array, options: CallOptions | undefined): Promise<Reply> {
    try {
      const opts = checkOptions<CallOptions>(options, ['cap', 'timeoutMs']);
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
    const cap = moved === undefined ? undefined : this.#move(moved, ep.owner);
    if (ep.dropCount > 0) {
      ep.dropCount--;
      if (cap !== undefined) this.#revoke(cap);
      return;
    }
    const msg: Message = { senderServiceId: from.serviceId, frame, cap, reply, ready: true, cancelDelay: undefined };
    if (ep.delayCount > 0) {
      ep.delayCount--;
      msg.ready = false;
      msg.cancelDelay = this.#deadline(ep.delayMs, () => {
        msg.ready = true;
        this.#schedulePump(ep);
      });
    }
    ep.queue.push(msg);
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
    const msg = ep.queue[0];
    if (handler === undefined || ep.busy !== undefined || ep.owner.muted || msg === undefined || !msg.ready) return;
    ep.queue.shift();
    ep.busy = msg;
    this.clock.advance(this.#tickNs);
    const incoming: Incoming = Object.freeze({
      senderServiceId: msg.senderServiceId,
      frame: msg.frame,
      cap: msg.cap,
      receivedAtNs: this.clock.now(),
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
    let outcome: Reply | IpcError | undefined;
    if (msg.reply !== undefined && !msg.reply.settled) {
      try {
        outcome = this.#replyOf(ep, msg.reply, out, failed);
      } catch {
        // A hostile reply object (a throwing getter, a proxy) fails that call, never the kernel.
        outcome = new IpcError('SERVER_FAULT', 'the server replied with an unreadable value');
      }
      settle(msg.reply, outcome);
    }
    if (!(outcome !== undefined && !(outcome instanceof IpcError) && outcome.cap !== undefined)) {
      this.#releaseUndelivered(ep, out);
    }
  }

  /**
   * A right the server attached to a reply that never reached its caller (the caller timed out or
   * died, or the reply was refused) is released: the server gave it away, so it must not keep a
   * copy that piles up toward its rights limit.
   */
  #releaseUndelivered(ep: EndpointState, out: Outgoing): void {
    let cap: unknown;
    try {
      cap = out !== undefined && !(out instanceof Uint8Array) && typeof out === 'object' && out !== null ? out.cap : undefined;
    } catch {
      return;
    }
    const record = cap === undefined ? undefined : this.#record(cap);
    if (record !== undefined && record.holder === ep.owner && record.kind === 'send') this.#revoke(cap as SendCap);
  }

  /** Turns a handler's result into the caller's outcome. The handler's error never reaches the caller. */
  #replyOf(ep: EndpointState, right: ReplyRight, out: Outgoing, failed: boolean): Reply | IpcError {
    if (failed) return new IpcError('SERVER_FAULT', 'the server failed to handle the call');
    if (out === undefined) return new IpcError('NO_REPLY', 'the server did not reply');
    const wrapped = !(out instanceof Uint8Array) && typeof out === 'object' && out !== null;
    const frame: unknown = wrapped ? out.frame : out;
    const cap: unknown = wrapped ? out.cap : undefined;
    if (!(frame instanceof Uint8Array)) return new IpcError('SERVER_FAULT', 'the server replied with no frame');
    if (frame.byteLength > ep.maxFrame) {
      return new IpcError('FRAME_TOO_LARGE', `reply of ${frame.byteLength} bytes exceeds ${ep.maxFrame}`);
    }
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
      frame: copyFrame(frame),
      cap: cap === undefined ? undefined : this.#move(cap as SendCap, right.caller),
      senderServiceId: ep.owner.serviceId,
    });
  }
}
