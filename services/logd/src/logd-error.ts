import { CodedError } from '@nexus/ipc';

/**
 * Every failure `@nexus/logd` throws. Protocol outcomes (DENIED, MALFORMED, TOO_LARGE, FULL) are
 * reply statuses, never throws; this union covers misuse of the boot-time API and a state dir
 * logd refuses to start on (never a silent reset):
 * - `INVALID_OPTION`: a journal bound or option outside its documented range.
 * - `ALREADY_CONNECTED`: `connectPolicyd` was called a second time (the channel is boot wiring).
 * - `STATE_DIR`: the state dir (or a journal folder in it) is not a directory, cannot be created,
 *   or cannot be written.
 * - `FOREIGN_SEGMENT`: a segment file that is not logd's (wrong magic) or belongs to the other journal.
 * - `FUTURE_SEGMENT`: a segment of a format version this build does not know.
 * - `CORRUPT_SEGMENT`: a segment header whose checksum fails, or segments whose ids go backwards.
 */
export type LogdErrorCode = 'INVALID_OPTION' | 'ALREADY_CONNECTED' | 'STATE_DIR' | 'FOREIGN_SEGMENT' | 'FUTURE_SEGMENT' | 'CORRUPT_SEGMENT';

/**
 * The one error class of `@nexus/logd`. Startup errors about the state dir carry the `path`.
 *
 * @example
 * try { startLogd(kernel, { auditWriter: policyd.serviceId, audit: { maxRecords: 0 } }); }
 * catch (e) { if (e instanceof LogdError) e.code; } // 'INVALID_OPTION'
 */
export class LogdError extends CodedError<LogdErrorCode> {
  override readonly name: 'LogdError' = 'LogdError';
  /** The file or folder a state-dir error is about. */
  readonly path: string | undefined;

  constructor(code: LogdErrorCode, message: string, options?: ErrorOptions & { readonly path?: string }) {
    super(code, `${message}${options?.path === undefined ? '' : ` (${options.path})`}`, options);
    this.path = options?.path;
  }
}
