import { KS_MAGIC, KS_MAX_REPLY_VALUE, KS_STATUS, KS_VERSION, isKeystoreStatus, type KeystoreReply } from './ks-wire.js';
import { ProtoError } from './proto-error.js';
import { readGuard } from './read-guard.js';
import { readFrameHeader } from './read-frame-header.js';

/**
 * Decodes a KS reply and checks it answers `op`: magic, version 1, `op | 0x80`, a known status,
 * `vlen` ≤ 1024 and exact, and no value unless the status is OK. Throws `ProtoError`
 * (`MALFORMED`, `TOO_LARGE` or `MISMATCH`) otherwise.
 *
 * @example
 * const { status, value } = decodeKeystoreReply(frame, KS_OP.SIGN);
 */
export function decodeKeystoreReply(frame: Uint8Array, op: number): KeystoreReply {
  const h = readFrameHeader(frame, { magic: KS_MAGIC, version: KS_VERSION, maxFrame: 7 + KS_MAX_REPLY_VALUE });
  if (!h.ok && h.problem === 'UNSUPPORTED') throw new ProtoError('MISMATCH', 'version');
  if (!h.ok) throw new ProtoError(h.problem, `bad header (${frame.byteLength} bytes)`);
  if (h.op !== (op | 0x80)) throw new ProtoError('MISMATCH', 'op');
  const r = h.reader;
  return readGuard(() => {
    const status = r.u8();
    if (!isKeystoreStatus(status)) throw new ProtoError('MALFORMED', `status ${status}`);
    const value = r.bytes16(KS_MAX_REPLY_VALUE);
    r.end();
    if (status !== KS_STATUS.OK && value.byteLength !== 0) throw new ProtoError('MALFORMED', 'value on a non-OK reply');
    return { op, status, value };
  });
}
