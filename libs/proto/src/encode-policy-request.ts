import { FrameWriter } from '@nexus/ipc';
import { PO_MAGIC, PO_MAX_FRAME, PO_MAX_NAME, type PolicyRequest } from './po-wire.js';
import { ProtoError } from './proto-error.js';
import { readGuard } from './read-guard.js';
import { utf8Cached } from './utf8-cached.js';

function writeName(w: FrameWriter, value: string): void {
  const bytes = utf8Cached(value);
  if (bytes.byteLength < 1 || bytes.byteLength > PO_MAX_NAME) {
    throw new ProtoError('BAD_VALUE', `name/capability must be 1..${PO_MAX_NAME} bytes, got ${bytes.byteLength}`);
  }
  w.bytes8(bytes, PO_MAX_NAME);
}

/**
 * Encodes a PO request exactly as the layout table of the README gives it. Throws
 * `ProtoError('BAD_VALUE')` for a name or capability outside 1..48 bytes, a nonce outside u32, an
 * id outside u64 or an image id outside u8.
 *
 * @example
 * encodePolicyRequest({ version: 1, op: PO_OP.CHECK, name: 'keystored' });
 * // [0x50,0x4f,0x01,0x01,0x09,...'keystored']
 */
export function encodePolicyRequest(req: PolicyRequest): Uint8Array {
  return readGuard(() => {
    const w = new FrameWriter(PO_MAX_FRAME).bytes(PO_MAGIC).u8(req.version).u8(req.op);
    if (req.version !== 1) w.u32(req.nonce);
    switch (req.op) {
      case 1:
        writeName(w, req.name);
        break;
      case 2:
        if (req.version === 3) w.u64(req.requesterId).u64(req.targetId);
        else {
          writeName(w, req.requester);
          writeName(w, req.target);
        }
        break;
      case 3:
        if (req.version === 3) w.u64(req.requesterId);
        else writeName(w, req.requester);
        w.u8(req.imageId);
        break;
      case 4:
      case 5:
        w.u64(req.subjectId);
        if (req.version === 3) w.u64(req.targetId);
        writeName(w, req.cap);
        break;
      case 7:
        break;
      default:
        throw new ProtoError('BAD_VALUE', `unknown op ${String((req as { op: unknown }).op)}`);
    }
    return w.finish();
  }, 'BAD_VALUE');
}
