import { CodedError } from '@nexus/ipc';

/**
 * Every failure `@nexus/logd` throws. Protocol outcomes (DENIED, MALFORMED, TOO_LARGE) are reply
 * statuses, never throws; this union covers only misuse of the boot-time API:
 * - `INVALID_OPTION`: a journal bound or option outside its documented range.
 * - `ALREADY_CONNECTED`: `connectPolicyd` was called a second time (the channel is boot wiring).
 */
export type LogdErrorCode = 'INVALID_OPTION' | 'ALREADY_CONNECTED';

/**
 * The one error class of `@nexus/logd`.
 *
 * @example
 * try { startLogd(kernel, { auditWriter: policyd.serviceId, audit: { maxRecords: 0 } }); }
 * catch (e) { if (e instanceof LogdError) e.code; } // 'INVALID_OPTION'
 */
export class LogdError extends CodedError<LogdErrorCode> {
  override readonly name: 'LogdError' = 'LogdError';
}
