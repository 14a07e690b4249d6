import type { SendCap, Task } from '@nexus/ipc';
import type { Transport } from './call-transport.js';

/**
 * The {@link Transport} a typed client uses from inside a service: a kernel call from `task` over
 * the send right `cap`, resolving to the reply frame. Kernel failures (timeout, dead peer) reject
 * with the kernel's `IpcError`, which the clients turn into a fail-closed verdict.
 *
 * @example
 * const policy = new PolicyClient(taskTransport(task, policydCap), { timeoutMs: 500 });
 */
export function taskTransport(task: Task, cap: SendCap): Transport {
  return async (frame, timeoutMs) => (await task.call(cap, frame, { timeoutMs })).frame;
}
