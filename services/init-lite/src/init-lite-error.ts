/**
 * Every failure `@nexus/init-lite` throws. Protocol outcomes (deny, not found) are values; this
 * union covers broken bytes and misuse of the boot-time API:
 * - `MALFORMED`: the bytes do not follow the RT layout (bad magic, truncated, trailing, bad name).
 * - `TOO_LARGE`: a frame or a name exceeds its bound.
 * - `UNSUPPORTED`: unknown version or op.
 * - `BAD_VALUE`: an encoder, `register` or `replace` was given a value it cannot carry.
 * - `MISMATCH`: a well-formed reply that does not answer a ROUTE.
 * - `STATE`: boot wiring used out of order (policyd connected twice, a name registered twice,
 *   too many services, a replace of a name never registered).
 */
export type InitLiteErrorCode = 'MALFORMED' | 'TOO_LARGE' | 'UNSUPPORTED' | 'BAD_VALUE' | 'MISMATCH' | 'STATE';

/**
 * The one error class of `@nexus/init-lite`. Decoders and encoders throw nothing else.
 *
 * @example
 * try { decodeRouteReply(frame); }
 * catch (e) { if (e instanceof InitLiteError && e.code === 'MALFORMED') deny(); }
 */
export class InitLiteError extends Error {
  override readonly name: 'InitLiteError' = 'InitLiteError';
  readonly code: InitLiteErrorCode;

  constructor(code: InitLiteErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
