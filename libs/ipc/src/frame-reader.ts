import { IpcError } from './ipc-error.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A bounded little-endian reader over one frame. Every read checks the remaining length first and
 * throws `IpcError` (`FRAME_TRUNCATED`, `FRAME_VALUE`, `FRAME_TRAILING`) instead of returning
 * `undefined` or reading past the end.
 *
 * @example
 * const r = new FrameReader(frame);
 * const magic = r.bytes(2); const op = r.u8(); const name = r.str8(48);
 * r.end(); // throws FRAME_TRAILING if bytes are left over
 */
export class FrameReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes read so far. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#bytes.byteLength - this.#offset;
  }

  #take(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > this.remaining) {
      throw new IpcError(
        'FRAME_TRUNCATED',
        `need ${n} byte(s) at offset ${this.#offset}, ${this.remaining} left`,
      );
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  /** Reads an unsigned 8-bit integer. */
  u8(): number {
    return this.#view.getUint8(this.#take(1));
  }

  /** Reads an unsigned little-endian 16-bit integer. */
  u16(): number {
    return this.#view.getUint16(this.#take(2), true);
  }

  /** Reads an unsigned little-endian 32-bit integer. */
  u32(): number {
    return this.#view.getUint32(this.#take(4), true);
  }

  /** Reads an unsigned little-endian 64-bit integer. */
  u64(): bigint {
    return this.#view.getBigUint64(this.#take(8), true);
  }

  /** Reads exactly `n` bytes (a copy, so later mutation of the frame cannot change it). */
  bytes(n: number): Uint8Array {
    const at = this.#take(n);
    return this.#bytes.slice(at, at + n);
  }

  /** Reads every byte that is left (a copy). */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  /** Reads a UTF-8 string of exactly `n` bytes; invalid UTF-8 is `FRAME_VALUE`. */
  utf8(n: number): string {
    const raw = this.bytes(n);
    try {
      return decoder.decode(raw);
    } catch (cause) {
      throw new IpcError('FRAME_VALUE', `invalid UTF-8 at offset ${this.#offset - n}`, { cause });
    }
  }

  /** Reads a u8 length prefix, checks it against `max`, then that many UTF-8 bytes. */
  str8(max = 255): string {
    return this.utf8(this.#checkLength(this.u8(), max));
  }

  /** Reads a u16 length prefix, checks it against `max`, then that many UTF-8 bytes. */
  str16(max = 0xffff): string {
    return this.utf8(this.#checkLength(this.u16(), max));
  }

  /** Reads a u8 length prefix, checks it against `max`, then that many raw bytes. */
  bytes8(max = 255): Uint8Array {
    return this.bytes(this.#checkLength(this.u8(), max));
  }

  /** Reads a u16 length prefix, checks it against `max`, then that many raw bytes. */
  bytes16(max = 0xffff): Uint8Array {
    return this.bytes(this.#checkLength(this.u16(), max));
  }

  /** Reads a u32 length prefix, checks it against `max`, then that many raw bytes. */
  bytes32(max: number): Uint8Array {
    return this.bytes(this.#checkLength(this.u32(), max));
  }

  #checkLength(length: number, max: number): number {
    if (length > max) {
      throw new IpcError('FRAME_VALUE', `length ${length} exceeds bound ${max} at offset ${this.#offset}`);
    }
    return length;
  }

  /** Asserts the whole frame was consumed: exact lengths are part of every protocol here. */
  end(): void {
    if (this.remaining !== 0) {
      throw new IpcError('FRAME_TRAILING', `${this.remaining} unexpected trailing byte(s)`);
    }
  }
}
