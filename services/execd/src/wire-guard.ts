import { IpcError } from '@nexus/ipc';
import { ExecdError } from './execd-error.js';

/**
 * Runs a `FrameReader` / `FrameWriter` step and turns the `IpcError` it may throw into an
 * `ExecdError`, so callers of this package only ever see `ExecdError`.
 *
 * @internal
 * @example
 * const nl = wireGuard(() => reader.u8());
 */
export function wireGuard<T>(fn: () => T, code: 'MALFORMED' | 'BAD_VALUE' = 'MALFORMED'): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof ExecdError) throw cause;
    const detail = cause instanceof IpcError ? cause.message : String(cause);
    throw new ExecdError(code, detail, { cause });
  }
}
