/**
 * Every failure `@nexus/execd` throws. Protocol outcomes (deny, not found, spawn failed) are
 * values; this union covers broken bytes and misuse of the boot-time API:
 * - `MALFORMED`: the bytes do not follow the EX layout (bad magic, truncated, trailing, bad name).
 * - `TOO_LARGE`: a frame or a name exceeds its bound.
 * - `UNSUPPORTED`: unknown version or op.
 * - `BAD_VALUE`: an encoder was given a value its field cannot carry.
 * - `MISMATCH`: a well-formed reply that does not answer a SPAWN.
 * - `STATE`: boot wiring used out of order (a channel connected twice).
 */
export type ExecdErrorCode = 'MALFORMED' | 'TOO_LARGE' | 'UNSUPPORTED' | 'BAD_VALUE' | 'MISMATCH' | 'STATE';

/**
 * The one error class of `@nexus/execd`. Decoders and encoders throw nothing else.
 *
 * @example
 * try { decodeExecReply(frame); }
 * catch (e) { if (e instanceof ExecdError && e.code === 'MISMATCH') deny(); }
 */
export class ExecdError extends Error {
  override readonly name: 'ExecdError' = 'ExecdError';
  readonly code: ExecdErrorCode;

  constructor(code: ExecdErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
