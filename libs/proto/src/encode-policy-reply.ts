import { FrameWriter } from '@nexus/ipc';
import {
  PO_MAGIC,
  PO_MAX_VERSION_LABEL,
  PO_OP,
  PO_REPLY_BIT,
  PO_STATUS,
  type PolicyReply,
} from './po-wire.js';
import { isPrintableAscii } from './printable-ascii.js';
import { ProtoError } from './proto-error.js';
import { readGuard } from './read-guard.js';

const STATUSES: readonly number[] = Object.values(PO_STATUS);

/**
 * Encodes a PO reply: v1 `[P,O,1,op|0x80,status,0]` (6 bytes); v2/v3
 * `[P,O,ver,op|0x80,nonce:u32,status,0]` (10 bytes); a v2 VERSION reply appends
 * `len:u8, label[len]` (printable ASCII, 1..96 bytes on ALLOW, `len = 0` otherwise).
 * Throws `ProtoError('BAD_VALUE')` for a field its slot cannot carry.
 *
 * @example
 * encodePolicyReply({ version: 2, op: PO_OP.ROUTE, nonce: 9, status: PO_STATUS.DENY });
 * // [0x50,0x4f,0x02,0x82,0x09,0,0,0,0x01,0x00]
 */
export function encodePolicyReply(reply: PolicyReply): Uint8Array {
  const { version, op, nonce, status, label } = reply;
  if (version !== 1 && version !== 2 && version !== 3) throw new ProtoError('BAD_VALUE', `version ${String(version)}`);
  if (!Number.isInteger(op) || op < 0 || op > 0x7f) throw new ProtoError('BAD_VALUE', `op ${op}`);
  if (!STATUSES.includes(status)) throw new ProtoError('BAD_VALUE', `status ${String(status)}`);
  if ((version === 1) !== (nonce === undefined)) {
    throw new ProtoError('BAD_VALUE', 'a nonce is required on v2/v3 and absent on v1');
  }
  const versionTrailer = version === 2 && op === PO_OP.VERSION;
  const text = label ?? '';
  if (!versionTrailer && label !== undefined) throw new ProtoError('BAD_VALUE', 'label only on a v2 VERSION reply');
  if (versionTrailer && (status === PO_STATUS.ALLOW) !== (text !== '')) {
    throw new ProtoError('BAD_VALUE', 'a VERSION reply carries a label exactly when it is ALLOW');
  }
  if (text !== '' && !isPrintableAscii(text, PO_MAX_VERSION_LABEL)) {
    throw new ProtoError('BAD_VALUE', 'label must be 1..96 printable ASCII bytes');
  }
  return readGuard(() => {
    // Sized exactly (the label is printable ASCII: one byte per char), so the local writer's buffer
    // is the frame and needs no copy.
    const size = (nonce === undefined ? 6 : 10) + (versionTrailer ? 1 + text.length : 0);
    const w = new FrameWriter(size).bytes(PO_MAGIC).u8(version).u8(op | PO_REPLY_BIT);
    if (nonce !== undefined) w.u32(nonce);
    w.u8(status).u8(0);
    if (versionTrailer) w.str8(text, PO_MAX_VERSION_LABEL);
    return w.view();
  }, 'BAD_VALUE');
}
