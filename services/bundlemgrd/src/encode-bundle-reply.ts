import { FrameWriter, isServiceName } from '@nexus/ipc';
import { guardFrame } from '@nexus/proto';
import {
  BM_MAGIC,
  BM_MAX_NAME,
  BM_MAX_REPLY,
  BM_MAX_VERSION,
  BM_OP,
  BM_REPLY_BIT,
  BM_VERSION,
  BUNDLE_VERSION_PATTERN,
  BundleStatus,
  isBundleStatus,
  type BundleReply,
  type BundleSummary,
} from './bm-wire.js';
import { BundleError } from './bundle-error.js';

function checkImageId(status: BundleStatus, imageId: number): void {
  const ok = status === BundleStatus.OK;
  if (!Number.isInteger(imageId) || (ok ? imageId < 1 || imageId > 255 : imageId !== 0)) {
    throw new BundleError('BAD_VALUE', `image id ${imageId} with status ${status}`);
  }
}

function checkRow(row: BundleSummary): void {
  checkImageId(BundleStatus.OK, row.imageId);
  if (!isServiceName(row.name) || !BUNDLE_VERSION_PATTERN.test(row.version)) {
    throw new BundleError('BAD_VALUE', 'row name or version');
  }
}

/**
 * Encodes a BM reply `[B,M,1,op|0x80,status,...]`: INSTALL `image_id:u8`; QUERY
 * `image_id:u8, vl:u8, version`; LIST `count:u8, count × (image_id:u8, nl:u8, name, vl:u8, version)`.
 * Throws `BundleError('BAD_VALUE')` for an unknown status, an image id outside 1..255 on OK (or not
 * 0 otherwise), a version on a non-OK QUERY, rows on a LIST that is neither OK nor TOO_LARGE, or a
 * reply over 4096 bytes.
 *
 * @example
 * encodeBundleReply({ op: BM_OP.INSTALL, status: BundleStatus.OK, imageId: 1 });
 * // [0x42,0x4d,0x01,0x81,0x00,0x01]
 */
export function encodeBundleReply(reply: BundleReply): Uint8Array {
  if (!isBundleStatus(reply.status)) throw new BundleError('BAD_VALUE', `status ${String(reply.status)}`);
  const ok = reply.status === BundleStatus.OK;
  return guardFrame(() => {
    const w = new FrameWriter(BM_MAX_REPLY).bytes(BM_MAGIC).u8(BM_VERSION).u8(reply.op | BM_REPLY_BIT).u8(reply.status);
    switch (reply.op) {
      case BM_OP.INSTALL:
        checkImageId(reply.status, reply.imageId);
        return w.u8(reply.imageId).finish();
      case BM_OP.QUERY:
        checkImageId(reply.status, reply.imageId);
        if (ok ? !BUNDLE_VERSION_PATTERN.test(reply.version) : reply.version !== '') {
          throw new BundleError('BAD_VALUE', `version with status ${reply.status}`);
        }
        return w.u8(reply.imageId).str8(reply.version, BM_MAX_VERSION).finish();
      case BM_OP.LIST:
        if (!ok && reply.status !== BundleStatus.TOO_LARGE && reply.bundles.length > 0) {
          throw new BundleError('BAD_VALUE', `rows with status ${reply.status}`);
        }
        w.u8(reply.bundles.length);
        for (const row of reply.bundles) {
          checkRow(row);
          w.u8(row.imageId).str8(row.name, BM_MAX_NAME).str8(row.version, BM_MAX_VERSION);
        }
        return w.finish();
      default:
        throw new BundleError('BAD_VALUE', `unknown op ${String((reply as { op: unknown }).op)}`);
    }
  }, BundleError, 'BAD_VALUE');
}

/**
 * The reply to a request that could not be served, shaped for its op: INSTALL / QUERY / LIST get
 * their layout with image id 0 and nothing else; an op the server does not know gets the bare
 * header and status `[B,M,1,op|0x80,status]`.
 *
 * @example
 * encodeBundleFailure(BM_OP.QUERY, BundleStatus.NOT_FOUND); // [0x42,0x4d,0x01,0x82,0x01,0x00,0x00]
 */
export function encodeBundleFailure(op: number, status: Exclude<BundleStatus, 0>): Uint8Array {
  const code = Number.isInteger(op) ? op & 0x7f : 0;
  if (code === BM_OP.INSTALL) return encodeBundleReply({ op: code, status, imageId: 0 });
  if (code === BM_OP.QUERY) return encodeBundleReply({ op: code, status, imageId: 0, version: '' });
  if (code === BM_OP.LIST) return encodeBundleReply({ op: code, status, bundles: [] });
  if (!isBundleStatus(status)) throw new BundleError('BAD_VALUE', `status ${String(status)}`);
  return guardFrame(
    () => new FrameWriter(5).bytes(BM_MAGIC).u8(BM_VERSION).u8(code | BM_REPLY_BIT).u8(status).finish(),
    BundleError,
    'BAD_VALUE',
  );
}
