import type { FrameReader } from '@nexus/ipc';

/**
 * Reads two bytes and tells whether they are `magic`. The caller has checked that a header's
 * worth of bytes is there.
 *
 * @internal
 * @example
 * if (!readMagic(r, PO_MAGIC)) return fail(PO_STATUS.MALFORMED);
 */
export function readMagic(r: FrameReader, magic: Uint8Array): boolean {
  const got = r.bytes(2);
  return got[0] === magic[0] && got[1] === magic[1];
}
