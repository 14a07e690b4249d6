import { FrameReader } from '@nexus/ipc';
import {
  PO_MAGIC,
  PO_MAX_VERSION_LABEL,
  PO_OP,
  PO_REPLY_BIT,
  PO_STATUS,
  type PolicyReply,
  type PolicyReplyHeader,
  type PolicyStatus,
} from './po-wire.js';
import { isPrintableAscii } from './printable-ascii.js';
import { ProtoError } from './proto-error.js';
import { readGuard } from './read-guard.js';
import { readMagic } from './read-magic.js';

function isStatus(s: number): s is PolicyStatus {
  return s >= PO_STATUS.ALLOW && s <= PO_STATUS.TOO_LARGE;
}

/**
 * Decodes a PO reply and checks it answers `expected`: magic, version, `op | 0x80`, nonce (v2/v3),
 * exact length, status in 0..4, reserved byte 0, and for a VERSION reply a printable label exactly
 * when the status is ALLOW. Throws `ProtoError` (`MALFORMED`, `TOO_LARGE` or `MISMATCH`) otherwise.
 *
 * @example
 * const { status } = decodePolicyReply(frame, { version: 2, op: PO_OP.ROUTE, nonce: 9 });
 * const allowed = status === PO_STATUS.ALLOW;
 */
export function decodePolicyReply(frame: Uint8Array, expected: PolicyReplyHeader): PolicyReply {
  if (frame.byteLength > 12 + PO_MAX_VERSION_LABEL) throw new ProtoError('TOO_LARGE', `${frame.byteLength} bytes`);
  const r = new FrameReader(frame);
  return readGuard(() => {
    if (!readMagic(r, PO_MAGIC)) throw new ProtoError('MALFORMED', 'bad magic');
    const version = r.u8();
    const op = r.u8();
    if (version !== expected.version) throw new ProtoError('MISMATCH', `version ${version}`);
    if (op !== (expected.op | PO_REPLY_BIT)) throw new ProtoError('MISMATCH', `op ${op}`);
    let nonce: number | undefined;
    if (expected.version !== 1) {
      nonce = r.u32();
      if (nonce !== expected.nonce) throw new ProtoError('MISMATCH', 'nonce');
    }
    const status = r.u8();
    if (!isStatus(status)) throw new ProtoError('MALFORMED', `status ${status}`);
    if (r.u8() !== 0) throw new ProtoError('MALFORMED', 'reserved byte');
    let label: string | undefined;
    if (expected.version === 2 && expected.op === PO_OP.VERSION) {
      const text = r.str8(PO_MAX_VERSION_LABEL);
      if ((status === PO_STATUS.ALLOW) !== (text !== '') || (text !== '' && !isPrintableAscii(text, PO_MAX_VERSION_LABEL))) {
        throw new ProtoError('MALFORMED', 'version label');
      }
      if (text !== '') label = text;
    }
    r.end();
    return {
      version: expected.version,
      op: expected.op,
      ...(nonce === undefined ? {} : { nonce }),
      status,
      ...(label === undefined ? {} : { label }),
    };
  });
}
