import type { RecvCap, SendCap } from './cap.js';
import type { Task } from './task.js';

/**
 * Fault injection of the simulated kernel, for tests and the boot harness: every fault is
 * deterministic and bounded.
 *
 * @example
 * kernel.faults.mute(policyd);             // calls to it now time out
 * kernel.faults.dropNext(route, 1);        // the next message on that endpoint vanishes
 * kernel.faults.delayNext(route, 2, 50);   // the next two arrive 50 ms (virtual) later
 */
export interface KernelFaults {
  /** The task stops handling messages: they queue up to `queueDepth`, calls time out. */
  mute(task: Task): void;
  /** The task handles its queued messages again, in order. */
  unmute(task: Task): void;
  /** The next `count` messages on the endpoint are held back `ms` (virtual; FIFO is kept). */
  delayNext(cap: SendCap | RecvCap, count: number, ms: number): void;
  /** The next `count` messages on the endpoint vanish (moved caps are released, callers time out). */
  dropNext(cap: SendCap | RecvCap, count: number): void;
}
