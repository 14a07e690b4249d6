import { IpcError } from '../ipc-error.js';

/*
 * The intrinsics a frame is measured and copied with, captured once when this module loads: a
 * caller can define own `byteLength`/`length`/`buffer` properties, subclass `Uint8Array` with
 * getters, or wrap an array in a Proxy, but it cannot change what these functions read, which are
 * the typed array's internal slots ([[TypedArrayName]], [[ByteLength]], [[ByteOffset]],
 * [[ViewedArrayBuffer]]). None of them runs caller code.
 */
const TYPED_ARRAY_PROTOTYPE: object = Object.getPrototypeOf(Uint8Array.prototype) as object;
const apply = Reflect.apply;
const U8 = Uint8Array;

function intrinsicGetter(key: PropertyKey): (this: unknown) => unknown {
  const get = Reflect.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, key)?.get;
  if (get === undefined) throw new Error(`%TypedArray%.prototype has no ${String(key)} getter`);
  return get;
}

const tagOf = intrinsicGetter(Symbol.toStringTag);
const byteLengthOf = intrinsicGetter('byteLength');
const byteOffsetOf = intrinsicGetter('byteOffset');
const bufferOf = intrinsicGetter('buffer');
const setInto = Reflect.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, 'set')?.value as (
  this: Uint8Array,
  source: Uint8Array,
) => void;

/**
 * True when `value` really is a `Uint8Array` (or a subclass such as `Buffer`) by its internal
 * slot, whatever its prototype or own properties claim. A Proxy, a DataView, another typed array
 * or an object built on `Uint8Array.prototype` is not.
 *
 * @example
 * isByteArray(new Proxy(new Uint8Array(1), {})); // false
 */
export function isByteArray(value: unknown): value is Uint8Array {
  return typeof value === 'object' && value !== null && apply(tagOf, value, []) === 'Uint8Array';
}

/**
 * A fresh view (no copy) of exactly the bytes `frame` really spans, measured from its internal
 * slots, so a bound checked on the view's length holds for what is later copied. Throws
 * `BAD_VALUE` for anything that is not a real `Uint8Array`, or whose buffer is detached.
 *
 * @example
 * const f = new Uint8Array(1 << 20);
 * Object.defineProperty(f, 'byteLength', { value: 9 });
 * frameView(f).length === 1 << 20; // the lie is not read
 */
export function frameView(frame: unknown): Uint8Array {
  if (!isByteArray(frame)) throw new IpcError('BAD_VALUE', 'a frame must be a Uint8Array');
  const length = apply(byteLengthOf, frame, []) as number;
  const offset = apply(byteOffsetOf, frame, []) as number;
  const buffer = apply(bufferOf, frame, []) as ArrayBufferLike;
  try {
    // Throws for a detached buffer (whose internal length reads 0), never for a live one.
    return new U8(buffer, offset, length);
  } catch {
    throw new IpcError('BAD_VALUE', 'the frame buffer is detached');
  }
}

/**
 * The real byte length of a view made by {@link frameView}, read from its internal slot.
 *
 * @example
 * if (frameLength(view) > maxFrame) throw new IpcError('FRAME_TOO_LARGE', '…');
 */
export function frameLength(view: Uint8Array): number {
  return apply(byteLengthOf, view, []) as number;
}

/**
 * A private plain copy of a view made by {@link frameView}: its own non-shared `ArrayBuffer`, so a
 * sender mutating (or sharing) its memory later cannot change what was sent. Call it only after
 * the bound was checked on {@link frameLength}.
 *
 * @example
 * const copy = copyFrame(frameView(Buffer.from([1, 2]))); // a plain Uint8Array [1, 2]
 */
export function copyFrame(view: Uint8Array): Uint8Array {
  const copy = new U8(frameLength(view));
  apply(setInto, copy, [view]);
  return copy;
}
