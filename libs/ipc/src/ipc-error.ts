/**
 * Every failure `@nexus/ipc` reports. A closed union so callers can switch exhaustively.
 */
export type IpcErrorCode =
  | 'NAME_INVALID'
  | 'NAME_TAKEN'
  | 'ID_COLLISION'
  | 'NO_RIGHT'
  | 'TASK_DEAD'
  | 'FRAME_TOO_LARGE'
  | 'QUEUE_FULL'
  | 'TIMEOUT'
  | 'PEER_CLOSED'
  | 'SERVER_FAULT'
  | 'NO_REPLY'
  | 'LIMIT_REACHED'
  | 'INVALID_ARGUMENT'
  | 'FRAME_TRUNCATED'
  | 'FRAME_OVERFLOW'
  | 'FRAME_TRAILING'
  | 'FRAME_VALUE';

/**
 * The one error class of `@nexus/ipc`: the `code` names the cause, the message gives the detail.
 *
 * @example
 * try { kernel.spawn('Bad Name'); } catch (e) { if (e instanceof IpcError) e.code; } // 'NAME_INVALID'
 */
export class IpcError extends Error {
  override readonly name: 'IpcError' = 'IpcError';
  readonly code: IpcErrorCode;

  constructor(code: IpcErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
