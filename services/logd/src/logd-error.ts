import { CodedError, type CodeOf } from '@nexus/ipc';

/**
 * Every failure `@nexus/logd` throws, with its meaning. Protocol outcomes (DENIED, MALFORMED,
 * TOO_LARGE, FULL) are reply statuses, never throws; this table covers misuse of the boot-time API
 * and a state dir logd refuses to start on (never a silent reset). The code union is derived from
 * it, and the same names mean the same in every package's error.
 *
 * @example
 * LOGD_ERROR_CODES.ALREADY_CONNECTED; // 'connectPolicyd was called a second time (the channel is boot wiring)'
 */
export const LOGD_ERROR_CODES = {
  BAD_VALUE: 'a journal bound or option outside its documented range',
  ALREADY_CONNECTED: 'connectPolicyd was called a second time (the channel is boot wiring)',
  STATE_DIR: 'the state dir (or a journal folder in it) is not a directory, cannot be created, or cannot be written',
  FOREIGN_SEGMENT: "a segment file that is not logd's (wrong magic) or belongs to the other journal",
  FUTURE_SEGMENT: 'a segment of a format version this build does not know',
  CORRUPT_SEGMENT: 'a segment header whose checksum fails, or segments whose ids go backwards',
} as const;

/**
 * The code union of {@link LOGD_ERROR_CODES}. A closed union so callers can switch exhaustively.
 *
 * @example
 * const code: LogdErrorCode = 'STATE_DIR';
 */
export type LogdErrorCode = CodeOf<typeof LOGD_ERROR_CODES>;

/**
 * The one error class of `@nexus/logd`. Startup errors about the state dir carry the `path`.
 *
 * @example
 * try { startLogd(kernel, { auditWriter: policyd.serviceId, audit: { maxRecords: 0 } }); }
 * catch (e) { if (e instanceof LogdError) e.code; } // 'BAD_VALUE'
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
