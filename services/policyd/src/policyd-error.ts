import { CodedError } from '@nexus/ipc';

/**
 * Every failure `@nexus/policyd` reports itself (a policy that fails to compile is `@nexus/sel`'s
 * `PolicyError`, passed through unchanged):
 * - `INVALID_OPTIONS`: `startPolicyd` options that are missing, contradictory or out of range.
 * - `UNMAPPED_OP`: a decoded request whose op has no row in the op → query table (a build defect).
 * - `SEAL_FAILED`: keystored did not seal a checkpoint (seen only by the sealer, which then chains
 *   the checkpoint unsealed).
 * - `STATE`: a handle used out of order (keystored connected twice).
 */
export type PolicydErrorCode = 'INVALID_OPTIONS' | 'UNMAPPED_OP' | 'SEAL_FAILED' | 'STATE';

/**
 * The one error class of `@nexus/policyd`.
 *
 * @example
 * try { startPolicyd(kernel, { console }); }
 * catch (e) { if (e instanceof PolicydError) e.code; } // 'INVALID_OPTIONS'
 */
export class PolicydError extends CodedError<PolicydErrorCode> {
  override readonly name: 'PolicydError' = 'PolicydError';
}
