/**
 * What a {@link SelftestError} is about: a bad command-line argument, an unknown phase name, or a
 * policy that does not compile (all three are configuration errors: exit status 2).
 *
 * @example
 * const code: SelftestErrorCode = 'UNKNOWN_PHASE';
 */
export type SelftestErrorCode = 'BAD_ARGUMENT' | 'UNKNOWN_PHASE' | 'POLICY';

/**
 * The one error class of the selftest app. A failed proof is not an error (it is a marker value);
 * only a configuration the selftest cannot run with is.
 *
 * @example
 * try { parseArgs(['--phase', 'nope'], {}); } catch (e) { if (e instanceof SelftestError) e.code; } // 'UNKNOWN_PHASE'
 */
export class SelftestError extends Error {
  override readonly name: 'SelftestError' = 'SelftestError';
  readonly code: SelftestErrorCode;

  constructor(code: SelftestErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
