// The public API of @nexus/ipc, listed by name.
export { BoundedMemo } from './bounded-memo.js';
export type { RecvCap, SendCap } from './cap.js';
export { FrameReader } from './frame-reader.js';
export { FrameWriter } from './frame-writer.js';
export { CodedError, type CodedErrorOptions, type CodeOf, type CodeTable } from './coded-error.js';
export { IPC_ERROR_CODES, IpcError, type IpcErrorCode } from './ipc-error.js';
export { IPC_LIMITS, type IpcLimits } from './ipc-limits.js';
export { Kernel, type Endpoint, type EndpointOptions, type KernelOptions } from './kernel.js';
export type { KernelFaults } from './kernel-faults.js';
export { serviceIdFromName } from './service-id.js';
export { isServiceName, SERVICE_NAME_MAX_BYTES, SERVICE_NAME_PATTERN } from './service-name.js';
export type { CallOptions, Handler, Incoming, Outgoing, Reply, SendOptions, ServeOptions, Task } from './task.js';
export { hexU64, U64_MAX } from './u64.js';
export { VirtualClock } from './virtual-clock.js';
