import { IpcError } from './ipc-error.js';

const encoder = new TextEncoder();
/** Below this length a plain loop beats `TypedArray.set` (which pays a native-call overhead). */
const SHORT_COPY = 16;
/**
 * V8 keeps typed arrays of at most 64 bytes on the JS heap (~70 ns); a larger one gets an off-heap
 * backing store (~600 ns at 108 bytes, ~1 µs at 512). Most frames are far shorter than their bound,
 * so the buffer starts at this size; a frame that outgrows it gets the full capacity at once (one
 * more allocation, as before), since step-wise growth costs several allocations and copies on the
 * kilobyte blocks of the audit chain.
 */
const INITIAL_BYTES = 64;

/**
 * A bounded little-endian frame builder. The capacity is fixed up front; writing past it throws
 * `IpcError('FRAME_OVERFLOW')`, and a value out of its field's range throws `FRAME_VALUE`, so a
 * frame is never silently truncated or wrapped. Integers are written byte by byte and ASCII strings
 * char by char, so construction is one allocation and short writes make none.
 *
 * @example
 * const frame = new FrameWriter(512).bytes(PO_MAGIC).u8(1).u8(op).str8('keystored', 48).finish();
 */
export class FrameWriter {
  readonly #capacity: number;
  #buffer: Uint8Array;
  /**
   * `#buffer.length`, kept in a field: on Node 20 reading a typed array's length costs several
   * times a whole byte write, and `#room` asks on every write.
   */
  #size: number;
  /**
   * A view of `#buffer` for 64-bit writes, made at the first one (most frames have none); a shared
   * scratch plus a byte loop cost twice as much per write.
   */
  #view: DataView | undefined;
  #offset = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new IpcError('FRAME_VALUE', `invalid capacity ${capacity}`);
    }
    this.#capacity = capacity;
    this.#buffer = new Uint8Array(Math.min(capacity, INITIAL_BYTES));
    this.#size = this.#buffer.length;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#offset;
  }

  #reserve(n: number): number {
    this.#room(n);
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  /**
   * Checks that `n` more bytes fit the capacity and grows the buffer to it if needed. Called before
   * a multi-part field (prefix + body) too, so a rejected one leaves no prefix behind.
   */
  #room(n: number): void {
    const end = this.#offset + n;
    // Written so that a NaN length (a non-Uint8Array from untyped code) fails the check too.
    if (!(end <= this.#capacity)) {
      throw new IpcError('FRAME_OVERFLOW', `${n} byte(s) at offset ${this.#offset} exceed capacity ${this.#capacity}`);
    }
    if (end > this.#size) {
      const grown = new Uint8Array(this.#capacity);
      grown.set(this.#buffer.subarray(0, this.#offset));
      this.#buffer = grown;
      this.#size = this.#capacity;
      this.#view = undefined;
    }
  }

  #checkRange(value: number, max: number, what: string): void {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new IpcError('FRAME_VALUE', `${what} ${value} out of range 0..${max}`);
    }
  }

  /** Writes an unsigned 8-bit integer. */
  u8(value: number): this {
    this.#checkRange(value, 0xff, 'u8');
    // Reserve first: it may replace the buffer, so `this.#buffer` must be read after it.
    const at = this.#reserve(1);
    this.#buffer[at] = value;
    return this;
  }

  /** Writes an unsigned little-endian 16-bit integer. */
  u16(value: number): this {
    this.#checkRange(value, 0xffff, 'u16');
    const at = this.#reserve(2);
    const b = this.#buffer;
    b[at] = value;
    b[at + 1] = value >>> 8;
    return this;
  }

  /** Writes an unsigned little-endian 32-bit integer. */
  u32(value: number): this {
    this.#checkRange(value, 0xffffffff, 'u32');
    const at = this.#reserve(4);
    const b = this.#buffer;
    b[at] = value;
    b[at + 1] = value >>> 8;
    b[at + 2] = value >>> 16;
    b[at + 3] = value >>> 24;
    return this;
  }

  /** Writes an unsigned little-endian 64-bit integer. */
  u64(value: bigint): this {
    if (typeof value !== 'bigint') throw new IpcError('FRAME_VALUE', `u64 must be a bigint, got ${typeof value}`);
    if (BigInt.asUintN(64, value) !== value) throw new IpcError('FRAME_VALUE', `u64 ${value} out of range`);
    const at = this.#reserve(8);
    this.#view ??= new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#size);
    this.#view.setBigUint64(at, value, true);
    return this;
  }

  /** Writes raw bytes. */
  bytes(value: Uint8Array): this {
    const n = value.length;
    const at = this.#reserve(n);
    if (n <= SHORT_COPY) {
      const b = this.#buffer;
      for (let i = 0; i < n; i++) b[at + i] = value[i]!;
    } else {
      this.#buffer.set(value, at);
    }
    return this;
  }

  /**
   * Writes a `prefix`-byte length and `value` as ASCII when every char is below 0x80 and the whole
   * field fits; returns false (having written nothing the offset covers) so the caller takes the
   * UTF-8 path, which also produces every error.
   */
  #ascii(value: string, prefix: 1 | 2, limit: number): boolean {
    const n = value.length;
    const at = this.#offset;
    if (n > limit || at + prefix + n > this.#capacity) return false;
    this.#room(prefix + n);
    const b = this.#buffer;
    const start = at + prefix;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) return false;
      b[start + i] = c;
    }
    b[at] = n;
    if (prefix === 2) b[at + 1] = n >>> 8;
    this.#offset = start + n;
    return true;
  }

  /** Writes a u8 length prefix (checked against `max`) and the UTF-8 bytes of `value`. */
  str8(value: string, max = 255): this {
    return this.#ascii(value, 1, Math.min(max, 0xff)) ? this : this.bytes8(encoder.encode(value), max);
  }

  /** Writes a u16 length prefix (checked against `max`) and the UTF-8 bytes of `value`. */
  str16(value: string, max = 0xffff): this {
    return this.#ascii(value, 2, Math.min(max, 0xffff)) ? this : this.bytes16(encoder.encode(value), max);
  }

  /** Writes a u8 length prefix (checked against `max`) and the raw bytes. */
  bytes8(value: Uint8Array, max = 255): this {
    const n = value.length;
    this.#checkRange(n, Math.min(max, 0xff), 'length');
    this.#room(1 + n);
    return this.u8(n).bytes(value);
  }

  /** Writes a u16 length prefix (checked against `max`) and the raw bytes. */
  bytes16(value: Uint8Array, max = 0xffff): this {
    const n = value.length;
    this.#checkRange(n, Math.min(max, 0xffff), 'length');
    this.#room(2 + n);
    return this.u16(n).bytes(value);
  }

  /** Writes a u32 length prefix (checked against `max`) and the raw bytes. */
  bytes32(value: Uint8Array, max: number): this {
    const n = value.length;
    this.#checkRange(n, Math.min(max, 0xffffffff), 'length');
    this.#room(4 + n);
    return this.u32(n).bytes(value);
  }

  /**
   * Forgets everything written so the writer can build the next frame in the same buffer (one
   * allocation per server instead of one per frame). Frames taken with `finish()` are unaffected.
   *
   * @example
   * const w = new FrameWriter(16);
   * const a = w.u8(1).finish();
   * const b = w.reset().u8(2).finish(); // a is still [1]
   */
  reset(): this {
    this.#offset = 0;
    return this;
  }

  /**
   * The frame written so far without copying: a view into the writer's buffer that the next write
   * or `reset()` changes. Use it only for data consumed at once (hashing, a copying send).
   *
   * @example
   * const digest = sha256(w.view()); // no copy of the frame
   */
  view(): Uint8Array {
    return this.#buffer.subarray(0, this.#offset);
  }

  /** The frame written so far (a copy of exactly `length` bytes). */
  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#offset);
  }
}
