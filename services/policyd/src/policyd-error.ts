import { CodedError, type CodeOf } from '@nexus/ipc';

/**
 * Every failure `@nexus/policyd` reports itself, with its meaning (a policy that fails to compile
 * is `@nexus/sel`'s `PolicyError`, passed through unchanged). The code union is derived from this
 * table, and the same names mean the same in every package's error.
 *
 * @example
 * POLICYD_ERROR_CODES.ALREADY_CONNECTED; // 'connectKeystore was called a second time'
 */
export const POLICYD_ERROR_CODES = {
  BAD_VALUE: '`startPolicyd` options that are missing, contradictory or out of range',
  UNMAPPED_OP: 'a decoded request whose op has no row in the op → query table (a build defect)',
  SEAL_FAILED: 'keystored did not seal a checkpoint (seen only by the sealer, which then chains the checkpoint unsealed)',
  ALREADY_CONNECTED: 'connectKeystore was called a second time',
} as const;

/**
 * The code union of {@link POLICYD_ERROR_CODES}. A closed union so callers can switch exhaustively.
 *
 * @example
 * const code: PolicydErrorCode = 'SEAL_FAILED';
 */
export type PolicydErrorCode = CodeOf<typeof POLICYD_ERROR_CODES>;

/**
 * The one error class of `@nexus/policyd`.
 *
 * @example
 * try { startPolicyd(kernel, { console }); }
 * catch (e) { if (e instanceof PolicydError) e.code; } // 'BAD_VALUE'
 */
export class PolicydError extends CodedError<PolicydErrorCode> {
  override readonly name: 'PolicydError' = 'PolicydError';
}
