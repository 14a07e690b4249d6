import { IpcError } from './ipc-error.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
// One shared 8-byte scratch reads a u64 without a DataView per reader.
const scratch = new Uint8Array(8);
const scratchView = new DataView(scratch.buffer);
/** Strings up to this length are built char by char when ASCII; longer ones go to TextDecoder. */
const SHORT_TEXT = 64;

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
  /**
   * The frame's length, read once: on Node 20 a typed array's `byteLength` costs more than the
   * byte reads it guards, and every read asks. Decoding is synchronous, so it cannot change.
   */
  readonly #end: number;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#end = bytes.length;
  }

  /** Bytes read so far. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#end - this.#offset;
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
    return this.#bytes[this.#take(1)]!;
  }

  /** Reads an unsigned little-endian 16-bit integer. */
  u16(): number {
    const at = this.#take(2);
    const b = this.#bytes;
    return b[at]! | (b[at + 1]! << 8);
  }

  /** Reads an unsigned little-endian 32-bit integer. */
  u32(): number {
    const at = this.#take(4);
    const b = this.#bytes;
    // The top byte is multiplied, not shifted, so the result stays unsigned.
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
  }

  /** Reads an unsigned little-endian 64-bit integer. */
  u64(): bigint {
    const at = this.#take(8);
    const b = this.#bytes;
    for (let i = 0; i < 8; i++) scratch[i] = b[at + i]!;
    return scratchView.getBigUint64(0, true);
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
    if (Number.isInteger(n) && n >= 0 && n <= SHORT_TEXT && n <= this.remaining) {
      const text = this.#shortAscii(n);
      if (text !== undefined) return text;
    }
    const raw = this.bytes(n);
    try {
      return decoder.decode(raw);
    } catch (cause) {
      throw new IpcError('FRAME_VALUE', `invalid UTF-8 at offset ${this.#offset - n}`, { cause });
    }
  }

  /** ASCII is valid UTF-8 that decodes to its own char codes, so no decoder call is needed. */
  #shortAscii(n: number): string | undefined {
    const b = this.#bytes;
    const at = this.#offset;
    let text = '';
    for (let i = at; i < at + n; i++) {
      const c = b[i]!;
      if (c >= 0x80) return undefined;
      text += String.fromCharCode(c);
    }
    this.#offset = at + n;
    return text;
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
