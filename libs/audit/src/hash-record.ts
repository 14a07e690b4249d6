import { createHash } from 'node:crypto';
import { AuditError } from './audit-error.js';
import { writeRecordBody } from './encode-record.js';
import type { UnsealedRecord } from './validate-record.js';

/** @internal SHA-256(prevHash ‖ body). */
export function hashBody(prevHash: Uint8Array, body: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(prevHash).update(body).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/**
 * The chain rule: `SHA-256(prevHash ‖ body)`, where `body` is the binary v1 encoding of the record
 * without its trailing `prevHash` and `hash` (`encodeRecord(r)` minus its last 64 bytes). The
 * record's own `prevHash` and `hash` fields are ignored; `prevHash` is the argument.
 *
 * @example
 * hashRecord(new Uint8Array(32), firstRecord); // equals firstRecord.hash
 */
export function hashRecord(prevHash: Uint8Array, record: UnsealedRecord): Uint8Array {
  if (!(prevHash instanceof Uint8Array) || prevHash.byteLength !== 32) {
    throw new AuditError('BAD_FIELD', 'prevHash must be 32 bytes');
  }
  return hashBody(prevHash, writeRecordBody(record).body);
}
