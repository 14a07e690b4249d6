import { CodedError, type CodeOf } from './coded-error.js';

/**
 * Every failure `@nexus/ipc` reports, with its meaning. The code union is derived from this table.
 *
 * @example
 * Object.keys(IPC_ERROR_CODES).includes('TIMEOUT'); // true
 */
export const IPC_ERROR_CODES = {
  NAME_INVALID: 'a task name outside the service-name rule',
  NAME_TAKEN: 'a task name a running task already has',
  ID_COLLISION: "a task name whose id equals a running task's id",
  NO_RIGHT: 'a cap this task does not hold (released, moved, foreign or of the wrong kind)',
  TASK_DEAD: 'the acting task was killed',
  FRAME_TOO_LARGE: "a frame over the endpoint's maxFrame",
  QUEUE_FULL: "the endpoint's queue is full",
  TIMEOUT: 'a call whose deadline passed',
  PEER_CLOSED: 'the peer task was killed',
  SERVER_FAULT: 'the server handler threw (its text never reaches the caller)',
  NO_REPLY: 'the server handler returned no reply to a call',
  LIMIT_REACHED: 'a per-kernel or per-task bound is reached',
  BAD_VALUE: 'an argument or option that cannot be used',
  FRAME_TRUNCATED: 'a frame read past its end',
  FRAME_OVERFLOW: 'a frame write past its capacity',
  FRAME_TRAILING: 'bytes left after the last field',
  FRAME_VALUE: 'a field value its slot cannot carry',
} as const;

/**
 * Every failure `@nexus/ipc` reports. A closed union so callers can switch exhaustively.
 *
 * @example
 * const code: IpcErrorCode = 'QUEUE_FULL';
 */
export type IpcErrorCode = CodeOf<typeof IPC_ERROR_CODES>;

/**
 * The one error class of `@nexus/ipc`: the `code` names the cause, the message gives the detail.
 *
 * @example
 * try { kernel.spawn('Bad Name'); } catch (e) { if (e instanceof IpcError) e.code; } // 'NAME_INVALID'
 */
export class IpcError extends CodedError<IpcErrorCode> {
  override readonly name: 'IpcError' = 'IpcError';
}
