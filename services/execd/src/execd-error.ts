import { CodedError, type CodeOf } from '@nexus/ipc';

/**
 * Every failure `@nexus/execd` throws. Protocol outcomes (deny, not found, spawn failed) are
 * values, and broken EX bytes are `@nexus/proto`'s `ProtoError`; this union covers misuse of the
 * boot-time API:
 * - `ALREADY_CONNECTED`: `connectPolicyd` or `connectBundlemgrd` was called a second time.
 *
 * @example
 * Object.keys(EXECD_ERROR_CODES); // every code, for a tool to list
 */
export const EXECD_ERROR_CODES = {
  ALREADY_CONNECTED: 'connectPolicyd or connectBundlemgrd was called a second time',
} as const;

/**
 * The code union of {@link EXECD_ERROR_CODES}.
 *
 * @example
 * const code: ExecdErrorCode = 'ALREADY_CONNECTED';
 */
export type ExecdErrorCode = CodeOf<typeof EXECD_ERROR_CODES>;

/**
 * The one error class of `@nexus/execd`.
 *
 * @example
 * try { execd.connectPolicyd(cap); }
 * catch (e) { if (e instanceof ExecdError && e.code === 'ALREADY_CONNECTED') log('wired twice'); }
 */
export class ExecdError extends CodedError<ExecdErrorCode> {
  override readonly name: 'ExecdError' = 'ExecdError';
}
