import { IpcError } from '../ipc-error.js';
import type { RealTimer } from '../real-timer.js';
import { SLOT_IDLE } from './deadline-list.js';
import type { Reply } from '../task.js';
import { armClockEntry, cancelClockEntry, type VirtualClock } from '../virtual-clock.js';
import { snapshotOptions } from './check-args.js';
import { isByteArray } from './frame-bytes.js';
import type { SendCap } from '../cap.js';
import type { ReplyRight, TaskState } from './kernel-state.js';

const NS_PER_MS = 1_000_000;

/**
 * A handler's result, read once: the frame and right it named, not yet checked.
 *
 * @example
 * const out: OutgoingSnapshot = { frame: new Uint8Array(1), cap: undefined };
 */
export interface OutgoingSnapshot {
  readonly frame: unknown;
  readonly cap: unknown;
}

/**
 * Reads a handler's result exactly once. A bare frame is returned as is (no snapshot object: it is
 * the common reply and is measured by its internal slots later); any other object is snapshotted
 * like an options object (own data properties `frame` and `cap` only), so a getter or Proxy can
 * neither answer two steps differently nor throw into the kernel: it is `SERVER_FAULT`.
 *
 * @example
 * readOutgoing({ frame: bytes, cap: route }); // { frame: bytes, cap: route }
 * readOutgoing(bytes); // bytes
 */
export function readOutgoing(out: unknown): Uint8Array | OutgoingSnapshot | IpcError | undefined {
  if (out === undefined) return undefined;
  if (isByteArray(out)) return out;
  if (typeof out !== 'object' || out === null) return { frame: out, cap: undefined };
  try {
    const { frame, cap } = snapshotOptions<{ frame: unknown; cap: unknown }>(out, ['frame', 'cap']);
    return { frame, cap };
  } catch {
    return new IpcError('SERVER_FAULT', 'the server replied with an unreadable value');
  }
}

const NO_FRAME = new Uint8Array(0);

let capturedResolve: ((reply: Reply) => void) | undefined;
let capturedReject: ((error: IpcError) => void) | undefined;

/** One executor for every call's promise: it hands out the resolvers instead of closing over a right. */
function captureResolvers(resolve: (reply: Reply) => void, reject: (error: IpcError) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * The one-shot right to answer one call, and at once that call's deadline on both clocks: it is
 * its own virtual-clock entry (the timeout) and its own real-timer entry (the fallback that moves
 * the virtual clock to the deadline if nothing else does), so arming, firing and cancelling a
 * call's deadline allocate nothing beyond this object and the promise the caller awaits. It is
 * also the call's queued message (`reply` is itself), one object where a call needed two.
 *
 * @example
 * const right = new CallRight(caller, clock, realTimer, 200);
 * right.arm();
 * settle(right, reply); // resolves right.promise, cancels both deadlines
 */
export class CallRight implements ReplyRight {
  readonly caller: TaskState;
  readonly promise: Promise<Reply>;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: IpcError) => void;
  readonly timeoutMs: number;
  readonly clock: VirtualClock;
  readonly realTimer: RealTimer;
  settled = false;
  at: bigint;
  clockSlot: number = SLOT_IDLE;
  dueMs = 0;
  realSlot: number = SLOT_IDLE;
  prevPending: CallRight | undefined = undefined;
  nextPending: CallRight | undefined = undefined;
  inPending = false;
  // The call's message, filled in by `load` when it is queued.
  senderServiceId = 0n;
  frame: Uint8Array = NO_FRAME;
  cap: SendCap | undefined = undefined;
  readonly reply: CallRight = this;
  kept = false;
  handling = false;
  ready = true;
  cancelDelay: (() => void) | undefined = undefined;

  constructor(caller: TaskState, clock: VirtualClock, realTimer: RealTimer, timeoutMs: number, timeoutNs: bigint) {
    this.caller = caller;
    this.promise = new Promise<Reply>(captureResolvers);
    this.resolve = capturedResolve!;
    this.reject = capturedReject!;
    capturedResolve = capturedReject = undefined;
    this.timeoutMs = timeoutMs;
    this.clock = clock;
    this.realTimer = realTimer;
    this.at = clock.now() + timeoutNs;
  }

  /** Makes this right its call's message: the sender's stamped id, the private frame copy, the moved right. */
  load(senderServiceId: bigint, frame: Uint8Array, cap: SendCap | undefined): void {
    this.senderServiceId = senderServiceId;
    this.frame = frame;
    this.cap = cap;
  }

  /** Starts both deadlines. */
  arm(): void {
    this.realTimer.arm(this, this.timeoutMs);
    armClockEntry(this.clock, this);
  }

  /** The virtual deadline passed. */
  onClock(): void {
    settle(this, new IpcError('TIMEOUT', `no reply within ${this.timeoutMs} ms`));
  }

  /** The real fallback: nothing moved the virtual clock to the deadline in time, so it moves now. */
  onRealTime(): void {
    this.clock.advanceTo(this.at);
  }
}

/**
 * Settles a call's one-shot reply right with a reply or an error: its deadline is cancelled and the
 * caller's pending-call slot freed. Settling twice is a no-op (a late reply after a timeout).
 *
 * @example
 * settle(right, new IpcError('TIMEOUT', 'no reply within 50 ms'));
 */
export function settle(right: ReplyRight, outcome: Reply | IpcError): void {
  if (right.settled) return;
  right.settled = true;
  right.realTimer.cancel(right);
  cancelClockEntry(right.clock, right);
  right.caller.pendingCalls.delete(right);
  if (outcome instanceof IpcError) right.reject(outcome);
  else right.resolve(outcome);
}

/**
 * Virtual ns of a duration in ms, memoised for the last value: nearly every call passes the same
 * timeout, and a `BigInt` conversion per call is an allocation the deadline does not need.
 *
 * @example
 * const nsOf = msToNs();
 * nsOf(200); // 200_000_000n
 */
export function msToNs(): (ms: number) => bigint {
  let lastMs = Number.NaN;
  let lastNs = 0n;
  return (ms) => {
    if (ms !== lastMs) {
      lastNs = BigInt(Math.round(ms * NS_PER_MS));
      lastMs = ms;
    }
    return lastNs;
  };
}

/**
 * Runs `fire` once the virtual clock reaches now + `ms` (a fault-injected delay; a call's own
 * deadline is its {@link CallRight}). A real deadline of `ms` (on the kernel's
 * one shared real timer) moves the clock there if nothing else does, so nothing waits forever;
 * whichever comes first cancels the other. Returns the cancel function.
 *
 * @example
 * msg.cancelDelay = deadline(kernel.clock, realTimer, 50, () => release(msg));
 */
export function deadline(clock: VirtualClock, realTimer: RealTimer, ms: number, fire: () => void): () => void {
  const at = clock.now() + BigInt(Math.round(ms * NS_PER_MS));
  const cancelReal = realTimer.schedule(ms, () => clock.advanceTo(at));
  const cancelVirtual = clock.schedule(at, () => {
    cancelReal();
    fire();
  });
  return () => {
    cancelReal();
    cancelVirtual();
  };
}
