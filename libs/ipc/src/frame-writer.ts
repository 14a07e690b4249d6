import { IpcError } from './ipc-error.js';

const encoder = new TextEncoder();

/**
 * A bounded little-endian frame builder. The capacity is fixed up front; writing past it throws
 * `IpcError('FRAME_OVERFLOW')`, and a value out of its field's range throws `FRAME_VALUE`, so a
 * frame is never silently truncated or wrapped.
 *
 * @example
 * const frame = new FrameWriter(512).bytes(PO_MAGIC).u8(1).u8(op).str8('keystored', 48).finish();
 */
export class FrameWriter {
  readonly #buffer: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new IpcError('FRAME_VALUE', `invalid capacity ${capacity}`);
    }
    this.#buffer = new Uint8Array(capacity);
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#offset;
  }

  #reserve(n: number): number {
    if (this.#offset + n > this.#buffer.byteLength) {
      throw new IpcError(
        'FRAME_OVERFLOW',
        `${n} byte(s) at offset ${this.#offset} exceed capacity ${this.#buffer.byteLength}`,
      );
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  #checkRange(value: number, max: number, what: string): void {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new IpcError('FRAME_VALUE', `${what} ${value} out of range 0..${max}`);
    }
  }

  /** Writes an unsigned 8-bit integer. */
  u8(value: number): this {
    this.#checkRange(value, 0xff, 'u8');
    this.#view.setUint8(this.#reserve(1), value);
    return this;
  }

  /** Writes an unsigned little-endian 16-bit integer. */
  u16(value: number): this {
    this.#checkRange(value, 0xffff, 'u16');
    this.#view.setUint16(this.#reserve(2), value, true);
    return this;
  }

  /** Writes an unsigned little-endian 32-bit integer. */
  u32(value: number): this {
    this.#checkRange(value, 0xffffffff, 'u32');
    this.#view.setUint32(this.#reserve(4), value, true);
    return this;
  }

  /** Writes an unsigned little-endian 64-bit integer. */
  u64(value: bigint): this {
    if (value < 0n || value > 0xffffffffffffffffn) {
      throw new IpcError('FRAME_VALUE', `u64 ${value} out of range`);
    }
    this.#view.setBigUint64(this.#reserve(8), value, true);
    return this;
  }

  /** Writes raw bytes. */
  bytes(value: Uint8Array): this {
    this.#buffer.set(value, this.#reserve(value.byteLength));
    return this;
  }

  /** Writes a u8 length prefix (checked against `max`) and the UTF-8 bytes of `value`. */
  str8(value: string, max = 255): this {
    return this.bytes8(encoder.encode(value), max);
  }

  /** Writes a u16 length prefix (checked against `max`) and the UTF-8 bytes of `value`. */
  str16(value: string, max = 0xffff): this {
    return this.bytes16(encoder.encode(value), max);
  }

  /** Writes a u8 length prefix (checked against `max`) and the raw bytes. */
  bytes8(value: Uint8Array, max = 255): this {
    this.#checkRange(value.byteLength, Math.min(max, 0xff), 'length');
    return this.u8(value.byteLength).bytes(value);
  }

  /** Writes a u16 length prefix (checked against `max`) and the raw bytes. */
  bytes16(value: Uint8Array, max = 0xffff): this {
    this.#checkRange(value.byteLength, Math.min(max, 0xffff), 'length');
    return this.u16(value.byteLength).bytes(value);
  }

  /** Writes a u32 length prefix (checked against `max`) and the raw bytes. */
  bytes32(value: Uint8Array, max: number): this {
    this.#checkRange(value.byteLength, Math.min(max, 0xffffffff), 'length');
    return this.u32(value.byteLength).bytes(value);
  }

  /** The frame written so far (a copy of exactly `length` bytes). */
  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#offset);
  }
}
