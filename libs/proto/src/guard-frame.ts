import { IpcError } from '@nexus/ipc';

/**
 * A package's one typed error class, as this package's pattern builds it: `new (code, message,
 * { cause })` with a closed `code` union.
 */
export type CodedErrorClass<C extends string> = new (code: C, message: string, options?: ErrorOptions) => Error;

/**
 * Runs a `FrameReader` / `FrameWriter` step and turns the `IpcError` it may throw (a short read, an
 * over-long field) into `new ErrorClass(code, …, { cause })`, so a codec's callers only ever see
 * that package's typed error. An `ErrorClass` error thrown inside `fn` passes through unchanged.
 * The BM, EX and RT codecs call it with `ProtoError`; `readGuard` is the PO / KS / LO shorthand.
 *
 * @example
 * const taskId = guardFrame(() => reader.u64(), ProtoError, 'MALFORMED');
 * const frame = guardFrame(() => writer.str8(name, 48).finish(), ProtoError, 'BAD_VALUE');
 */
export function guardFrame<T, C extends string>(fn: () => T, ErrorClass: CodedErrorClass<C>, code: C): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof ErrorClass) throw cause;
    const detail = cause instanceof IpcError ? cause.message : String(cause);
    throw new ErrorClass(code, detail, { cause });
  }
}
