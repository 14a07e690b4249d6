/**
 * Every failure `@nexus/keystored` reports to its embedder (never to a KS caller, which only ever
 * sees a KS status):
 * - `BAD_VALUE`: an option that cannot be used (a key pair that is not Ed25519, a bad bound).
 * - `STATE`: a handle used out of order (policyd connected twice).
 */
export type KeystoredErrorCode = 'BAD_VALUE' | 'STATE';

/**
 * The one error class of `@nexus/keystored`.
 *
 * @example
 * try { ks.connectPolicyd(cap); } catch (e) { if (e instanceof KeystoredError) e.code; } // 'STATE'
 */
export class KeystoredError extends Error {
  override readonly name: 'KeystoredError' = 'KeystoredError';
  readonly code: KeystoredErrorCode;

  constructor(code: KeystoredErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
