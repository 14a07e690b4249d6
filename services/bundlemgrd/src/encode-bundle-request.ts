import { FrameWriter, isServiceName } from '@nexus/ipc';
import { guardFrame } from '@nexus/proto';
import {
  BM_MAGIC,
  BM_MAX_MANIFEST,
  BM_MAX_NAME,
  BM_MAX_REQUEST,
  BM_SIGNATURE_BYTES,
  BM_VERSION,
  type BundleRequest,
} from './bm-wire.js';
import { BundleError } from './bundle-error.js';

/**
 * Encodes a BM request: INSTALL `[B,M,1,1, ml:u16, manifest[ml], sig[64]]`, QUERY
 * `[B,M,1,2, nl:u8, name[nl]]`, LIST `[B,M,1,3]`. Throws `BundleError('BAD_VALUE')` for an empty or
 * over-4096-byte manifest, a signature that is not 64 bytes, a name that is not 1..48 bytes of
 * `[a-z0-9._-]`, or an unknown op.
 *
 * @example
 * encodeBundleRequest({ op: BM_OP.LIST }); // [0x42,0x4d,0x01,0x03]
 */
export function encodeBundleRequest(req: BundleRequest): Uint8Array {
  return guardFrame(() => {
    const w = new FrameWriter(BM_MAX_REQUEST).bytes(BM_MAGIC).u8(BM_VERSION).u8(req.op);
    switch (req.op) {
      case 1:
        if (req.manifest.byteLength === 0) throw new BundleError('BAD_VALUE', 'empty manifest');
        if (req.signature.byteLength !== BM_SIGNATURE_BYTES) throw new BundleError('BAD_VALUE', 'signature must be 64 bytes');
        return w.bytes16(req.manifest, BM_MAX_MANIFEST).bytes(req.signature).finish();
      case 2:
        if (!isServiceName(req.name)) throw new BundleError('BAD_VALUE', 'name must be 1..48 bytes of [a-z0-9._-]');
        return w.str8(req.name, BM_MAX_NAME).finish();
      case 3:
        return w.finish();
      default:
        throw new BundleError('BAD_VALUE', `unknown op ${String((req as { op: unknown }).op)}`);
    }
  }, BundleError, 'BAD_VALUE');
}
