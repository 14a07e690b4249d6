import { IpcError } from '@nexus/ipc';
import { BundleError, type BundleErrorCode } from './bundle-error.js';

/**
 * Runs a read or write against a `FrameReader` / `FrameWriter` and turns the `IpcError` it may
 * throw into a `BundleError` of `code`, so callers of this package only ever see `BundleError`.
 *
 * @internal
 * @example
 * const name = guard('MALFORMED', () => reader.str8(48));
 */
export function guard<T>(code: BundleErrorCode, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof BundleError) throw cause;
    throw new BundleError(code, cause instanceof IpcError ? cause.message : 'unexpected failure', { cause });
  }
}
