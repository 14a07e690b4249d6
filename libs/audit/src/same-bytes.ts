import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality of two byte strings (false for different lengths or anything that is not
 * a `Uint8Array`): how hashes, key ids and boot ids are compared, so a comparison leaks nothing of
 * where two values first differ.
 *
 * @example
 * sameBytes(record.prevHash, previous.hash); // true when the link holds
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a instanceof Uint8Array && b instanceof Uint8Array && a.byteLength === b.byteLength && timingSafeEqual(a, b);
}
