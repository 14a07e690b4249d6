import { CodedError, type CodeOf } from '@nexus/ipc';

/**
 * Every failure `@nexus/bundlemgrd` reports. A closed union so callers can switch exhaustively:
 * - `TOO_LARGE`: a manifest over its bound.
 * - `BAD_VALUE`: an option that cannot be used (a publisher name or key of the wrong shape).
 * - `MANIFEST`: a manifest that is not TOML or does not satisfy the manifest schema.
 * - `ALREADY_CONNECTED`: `connectPolicyd` or `connectKeystore` was called a second time.
 * - `WEAK_KEY`: a trusted publisher key that is not a canonical Ed25519 point of large order
 *   (a small-order key makes a forged signature verify for any manifest).
 *
 * @example
 * Object.keys(BUNDLE_ERROR_CODES); // every code, for a tool to list
 */
export const BUNDLE_ERROR_CODES = {
  TOO_LARGE: 'a manifest over its bound',
  BAD_VALUE: 'an option that cannot be used (a publisher name or key of the wrong shape)',
  MANIFEST: 'a manifest that is not TOML or does not satisfy the manifest schema',
  ALREADY_CONNECTED: 'connectPolicyd or connectKeystore was called a second time',
  WEAK_KEY: 'a trusted publisher key that is not a canonical Ed25519 point of large order',
} as const;

/**
 * The code union of {@link BUNDLE_ERROR_CODES}.
 *
 * @example
 * const code: BundleErrorCode = 'WEAK_KEY';
 */
export type BundleErrorCode = CodeOf<typeof BUNDLE_ERROR_CODES>;

/**
 * The one error class of `@nexus/bundlemgrd`. The manifest parser and the boot-time API throw
 * nothing else; install outcomes (deny, bad signature, ...) are values, not errors. The BM codec
 * lives in `@nexus/proto` and throws its `ProtoError`.
 *
 * @example
 * try { parseBundleManifest(bytes); }
 * catch (e) { if (e instanceof BundleError && e.code === 'MANIFEST') reply(BundleStatus.MALFORMED); }
 */
export class BundleError extends CodedError<BundleErrorCode> {
  override readonly name: 'BundleError' = 'BundleError';
}
