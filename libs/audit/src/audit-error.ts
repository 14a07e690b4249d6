import { CodedError, type CodeOf } from '@nexus/ipc';

/**
 * Every failure `@nexus/audit` reports, with its meaning. The code union is derived from this table,
 * and the same names mean the same in every package's error (`BAD_VALUE` is the code every package
 * uses for an input value it cannot use).
 *
 * @example
 * AUDIT_ERROR_CODES.BAD_VALUE; // 'a field out of its range or closed set, or fields that contradict each other'
 */
export const AUDIT_ERROR_CODES = {
  MALFORMED: 'bytes or text that do not parse',
  TOO_LARGE: 'input over its bound',
  BAD_VALUE: 'a field out of its range or closed set, or fields that contradict each other',
  UNSUPPORTED: 'a record version this decoder does not read (it reads exactly 2), as UNSUPPORTED means in every package',
} as const;

/**
 * Every failure `@nexus/audit` reports. A closed union so callers can switch exhaustively.
 *
 * @example
 * const code: AuditErrorCode = 'TOO_LARGE';
 */
export type AuditErrorCode = CodeOf<typeof AUDIT_ERROR_CODES>;

/**
 * The one error class of `@nexus/audit`: the `code` names the cause, the message gives the detail.
 *
 * @example
 * try { decodeRecord(new Uint8Array([9])); } catch (e) { if (e instanceof AuditError) e.code; } // 'UNSUPPORTED'
 */
export class AuditError extends CodedError<AuditErrorCode> {
  override readonly name: 'AuditError' = 'AuditError';
}
