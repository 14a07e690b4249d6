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
 * The real byte length of `frame`, read from its internal [[ByteLength]] slot, so a bound checked
 * on it holds for what {@link copyFrame} later copies. No view is built: a typed array built on a
 * buffer costs more than the whole check. Throws `BAD_VALUE` for anything that is not a real
 * `Uint8Array`, or whose buffer is detached (a detached or out-of-bounds view reads 0, so only an
 * empty frame needs the slower test).
 *
 * @example
 * const f = new Uint8Array(1 << 20);
 * Object.defineProperty(f, 'byteLength', { value: 9 });
 * frameLength(f) === 1 << 20; // the lie is not read
 */
export function frameLength(frame: unknown): number {
  if (!isByteArray(frame)) throw new IpcError('BAD_VALUE', 'a frame must be a Uint8Array');
  const length = apply(byteLengthOf, frame, []) as number;
  if (length === 0) {
    const offset = apply(byteOffsetOf, frame, []) as number;
    const buffer = apply(bufferOf, frame, []) as ArrayBufferLike;
    try {
      // Throws for a detached buffer (or a view out of its resized buffer's bounds), never for a live one.
      new U8(buffer, offset, 0);
    } catch {
      throw new IpcError('BAD_VALUE', 'the frame buffer is detached');
    }
  }
  return length;
}

/**
 * A private plain copy of the `length` bytes `frame` spans: its own non-shared `ArrayBuffer`, so a
 * sender mutating (or sharing) its memory later cannot change what was sent. `%TypedArray%.prototype.set`
 * reads the source by its internal slots only, never a getter. Call it only with the length
 * {@link frameLength} measured and bounded, with no caller code run in between.
 *
 * @example
 * const f = Buffer.from([1, 2]);
 * const copy = copyFrame(f, frameLength(f)); // a plain Uint8Array [1, 2]
 */
export function copyFrame(frame: Uint8Array, length: number): Uint8Array {
  const copy = new U8(length);
  if (length > 0) apply(setInto, copy, [frame]);
  return copy;
}
