import { AuditError } from './audit-error.js';

const HEX = /^[0-9a-f]*$/;

/** @internal Lowercase hex of bytes (Buffer-backed for speed). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** @internal Exactly `length` bytes from canonical lowercase hex; anything else is `MALFORMED`. */
export function fromHex(text: string, length: number, what: string): Uint8Array {
  if (text.length !== length * 2 || !HEX.test(text)) {
    throw new AuditError('MALFORMED', `${what} must be ${length * 2} lowercase hex digits`);
  }
  return new Uint8Array(Buffer.from(text, 'hex'));
}
