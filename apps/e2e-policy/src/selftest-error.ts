import type { CodeOf } from '@nexus/ipc';

/**
 * What a {@link SelftestError} is about, with its meaning. All three are configuration errors (exit
 * status 2). The code union is derived from this table, and the same names mean the same in every
 * package's error (`BAD_VALUE` is the code every package uses for an input value it cannot use).
 *
 * @example
 * SELFTEST_ERROR_CODES.UNKNOWN_PHASE; // 'a phase name (--phase or RUN_PHASE) that is not a phase'
 */
export const SELFTEST_ERROR_CODES = {
  BAD_VALUE: 'a command-line argument or RUN_PHASE the selftest cannot use',
  UNKNOWN_PHASE: 'a phase name (--phase or RUN_PHASE) that is not a phase',
  POLICY: 'a policy that does not compile',
} as const;

/**
 * The code union of {@link SELFTEST_ERROR_CODES}.
 *
 * @example
 * const code: SelftestErrorCode = 'UNKNOWN_PHASE';
 */
export type SelftestErrorCode = CodeOf<typeof SELFTEST_ERROR_CODES>;

/**
 * The one error class of the selftest app. A failed proof is not an error (it is a marker value);
 * only a configuration the selftest cannot run with is.
 *
 * Not a `CodedError`: its message is printed as is after `SELFTEST: configuration error: `, and a
 * policy error's own `file:line:col: CODE: message` must come first there; the base's `CODE: `
 * prefix would change that line.
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
