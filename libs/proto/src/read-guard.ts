import { guardFrame } from './guard-frame.js';
import { ProtoError } from './proto-error.js';

/**
 * {@link guardFrame} bound to `ProtoError` (`MALFORMED` when reading, `BAD_VALUE` when writing),
 * so callers of this package only ever see `ProtoError`.
 *
 * @internal
 * @example
 * const name = readGuard(() => reader.str8(48));
 */
export function readGuard<T>(fn: () => T, code: 'MALFORMED' | 'BAD_VALUE' = 'MALFORMED'): T {
  return guardFrame(fn, ProtoError, code);
}
