import { IpcError } from '@nexus/ipc';
import { ProtoError } from './proto-error.js';

/**
 * Runs a read or write against a `FrameReader` / `FrameWriter` and turns the `IpcError` it may
 * throw into a `ProtoError` (`MALFORMED` when reading, `BAD_VALUE` when writing), so callers of this
 * package only ever see `ProtoError`.
 *
 * @internal
 * @example
 * const name = readGuard(() => reader.str8(48));
 */
export function readGuard<T>(fn: () => T, code: 'MALFORMED' | 'BAD_VALUE' = 'MALFORMED'): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof ProtoError) throw cause;
    const detail = cause instanceof IpcError ? cause.message : String(cause);
    throw new ProtoError(code, detail, { cause });
  }
}
