/**
 * Every failure `@nexus/proto` reports. A closed union so callers can switch exhaustively:
 * - `MALFORMED`: the bytes do not follow the layout (bad magic, truncated, trailing, bad field).
 * - `TOO_LARGE`: a frame or a field exceeds its bound.
 * - `UNSUPPORTED`: unknown version or op.
 * - `BAD_VALUE`: an encoder was given a value its field cannot carry.
 * - `MISMATCH`: a well-formed reply that does not answer the request (version, op or nonce).
 */
export type ProtoErrorCode = 'MALFORMED' | 'TOO_LARGE' | 'UNSUPPORTED' | 'BAD_VALUE' | 'MISMATCH';

/**
 * The one error class of `@nexus/proto`. Decoders and encoders throw nothing else.
 *
 * @example
 * try { decodePolicyReply(frame, { version: 1, op: 1 }); }
 * catch (e) { if (e instanceof ProtoError && e.code === 'MISMATCH') deny(); }
 */
export class ProtoError extends Error {
  override readonly name: 'ProtoError' = 'ProtoError';
  readonly code: ProtoErrorCode;

  constructor(code: ProtoErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
