import { CodedError } from '@nexus/ipc';

/**
 * Every failure `@nexus/audit` reports. A closed union so callers can switch exhaustively.
 * `MALFORMED`: bytes or text that do not parse; `TOO_LARGE`: input over its bound; `BAD_FIELD`: a
 * field out of its range or closed set, or fields that contradict each other; `UNSUPPORTED_VERSION`:
 * a record version other than 1.
 *
 * @example
 * const code: AuditErrorCode = 'TOO_LARGE';
 */
export type AuditErrorCode = 'MALFORMED' | 'TOO_LARGE' | 'BAD_FIELD' | 'UNSUPPORTED_VERSION';

/**
 * The one error class of `@nexus/audit`: the `code` names the cause, the message gives the detail.
 *
 * @example
 * try { decodeRecord(new Uint8Array([9])); } catch (e) { if (e instanceof AuditError) e.code; } // 'UNSUPPORTED_VERSION'
 */
export class AuditError extends CodedError<AuditErrorCode> {
  override readonly name: 'AuditError' = 'AuditError';
}
