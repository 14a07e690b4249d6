import { CodedError, type CodeOf } from '@nexus/ipc';

/**
 * Every failure `@nexus/keystored` reports to its embedder (never to a KS caller, which only ever
 * sees a KS status):
 * - `BAD_VALUE`: an option that cannot be used (a key pair that is not Ed25519, a bad bound).
 * - `ALREADY_CONNECTED`: `connectPolicyd` was called a second time.
 *
 * @example
 * Object.keys(KEYSTORED_ERROR_CODES); // every code, for a tool to list
 */
export const KEYSTORED_ERROR_CODES = {
  BAD_VALUE: 'an option that cannot be used (a key pair that is not Ed25519, a bad bound)',
  ALREADY_CONNECTED: 'connectPolicyd was called a second time',
} as const;

/**
 * The code union of {@link KEYSTORED_ERROR_CODES}.
 *
 * @example
 * const code: KeystoredErrorCode = 'ALREADY_CONNECTED';
 */
export type KeystoredErrorCode = CodeOf<typeof KEYSTORED_ERROR_CODES>;

/**
 * The one error class of `@nexus/keystored`.
 *
 * @example
 * try { ks.connectPolicyd(cap); } catch (e) { if (e instanceof KeystoredError) e.code; } // 'ALREADY_CONNECTED'
 */
export class KeystoredError extends CodedError<KeystoredErrorCode> {
  override readonly name: 'KeystoredError' = 'KeystoredError';
}
