import { IpcError } from '@nexus/ipc';
import { InitLiteError } from './init-lite-error.js';

/**
 * Runs a `FrameReader` / `FrameWriter` step and turns the `IpcError` it may throw into an
 * `InitLiteError`, so callers of this package only ever see `InitLiteError`.
 *
 * @internal
 * @example
 * const nl = wireGuard(() => reader.u8());
 */
export function wireGuard<T>(fn: () => T, code: 'MALFORMED' | 'BAD_VALUE' = 'MALFORMED'): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof InitLiteError) throw cause;
    const detail = cause instanceof IpcError ? cause.message : String(cause);
    throw new InitLiteError(code, detail, { cause });
  }
}
