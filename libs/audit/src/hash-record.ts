import { hash } from 'node:crypto';
import { FrameWriter } from '@nexus/ipc';
import { AuditError } from './audit-error.js';
import { AUDIT_LIMITS } from './audit-record.js';
import { writeBody } from './encode-record.js';
import { validateRecord, type UnsealedRecord } from './validate-record.js';

/** @internal Bytes of `prevHash` and of `hash`. */
export const HASH_BYTES = 32;

/**
 * @internal SHA-256 of `input` (which is `prevHash ‖ body`). The one-shot `crypto.hash` with a
 * latin1 ('binary') string result is several times faster than `createHash` or a Buffer digest on
 * Node 20 (no Hash object, no off-heap Buffer), and 32 bytes decode from it in one short loop.
 */
export function sha256(input: Uint8Array): Uint8Array {
  const text = hash('sha256', input, 'binary');
  const out = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i++) out[i] = text.charCodeAt(i);
  return out;
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
  if (!(prevHash instanceof Uint8Array) || prevHash.byteLength !== HASH_BYTES) {
    throw new AuditError('BAD_VALUE', 'prevHash must be 32 bytes');
  }
  validateRecord(record);
  const w = new FrameWriter(HASH_BYTES + AUDIT_LIMITS.maxRecordBytes).bytes(prevHash);
  return sha256(writeBody(record, w).finish());
}
