import { IpcError } from '../ipc-error.js';
import type { RealTimer } from '../real-timer.js';
import type { Reply } from '../task.js';
import type { VirtualClock } from '../virtual-clock.js';
import { snapshotOptions } from './check-args.js';
import { isByteArray } from './frame-bytes.js';
import type { ReplyRight } from './kernel-state.js';

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
 * Reads a handler's result exactly once. A bare frame is taken as is; an object is snapshotted
 * like an options object (own data properties `frame` and `cap` only), so a getter or Proxy can
 * neither answer two steps differently nor throw into the kernel: it is `SERVER_FAULT`.
 *
 * @example
 * readOutgoing({ frame: bytes, cap: route }); // { frame: bytes, cap: route }
 */
export function readOutgoing(out: unknown): OutgoingSnapshot | IpcError | undefined {
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
  right.cancelTimer();
  right.caller.pendingCalls.delete(right);
  if (outcome instanceof IpcError) right.reject(outcome);
  else right.resolve(outcome);
}

/**
 * Runs `fire` once the virtual clock reaches now + `ms`. A real deadline of `ms` (on the kernel's
 * one shared real timer) moves the clock there if nothing else does, so nothing waits forever;
 * whichever comes first cancels the other. Returns the cancel function.
 *
 * @example
 * right.cancelTimer = deadline(kernel.clock, realTimer, 200, () => settle(right, timeoutError));
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
