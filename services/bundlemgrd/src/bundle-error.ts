/**
 * Every failure `@nexus/bundlemgrd` reports. A closed union so callers can switch exhaustively:
 * - `MALFORMED`: the bytes do not follow the BM layout (bad magic, truncated, trailing, bad field).
 * - `TOO_LARGE`: a frame or a field exceeds its bound.
 * - `UNSUPPORTED`: unknown version or op.
 * - `BAD_VALUE`: an encoder or a constructor was given a value its field cannot carry.
 * - `MISMATCH`: a well-formed reply that does not answer the request's op.
 * - `MANIFEST`: a manifest that is not TOML or does not satisfy the manifest schema.
 * - `STATE`: a handle used out of order (a channel connected twice).
 * - `WEAK_KEY`: a trusted publisher key that is not a canonical Ed25519 point of large order
 *   (a small-order key makes a forged signature verify for any manifest).
 */
export type BundleErrorCode = 'MALFORMED' | 'TOO_LARGE' | 'UNSUPPORTED' | 'BAD_VALUE' | 'MISMATCH' | 'MANIFEST' | 'STATE' | 'WEAK_KEY';

/**
 * The one error class of `@nexus/bundlemgrd`. Decoders, encoders and the manifest parser throw
 * nothing else; install outcomes (deny, bad signature, ...) are values, not errors.
 *
 * @example
 * try { decodeBundleRequest(frame); }
 * catch (e) { if (e instanceof BundleError && e.code === 'TOO_LARGE') reply(BundleStatus.TOO_LARGE); }
 */
export class BundleError extends Error {
  override readonly name: 'BundleError' = 'BundleError';
  readonly code: BundleErrorCode;

  constructor(code: BundleErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
