import { FrameReader, isServiceName } from '@nexus/ipc';
import { guardFrame, readFrameHeader } from '@nexus/proto';
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
  type BundleOp,
  type BundleReply,
  type BundleSummary,
} from './bm-wire.js';
import { BundleError } from './bundle-error.js';

function imageIdFor(status: BundleStatus, imageId: number): number {
  if (status === BundleStatus.OK ? imageId === 0 : imageId !== 0) {
    throw new BundleError('MALFORMED', `image id ${imageId} with status ${status}`);
  }
  return imageId;
}

function readRow(r: FrameReader): BundleSummary {
  const imageId = imageIdFor(BundleStatus.OK, r.u8());
  const name = r.str8(BM_MAX_NAME);
  const version = r.str8(BM_MAX_VERSION);
  if (!isServiceName(name) || !BUNDLE_VERSION_PATTERN.test(version)) {
    throw new BundleError('MALFORMED', 'row name or version');
  }
  return { imageId, name, version };
}

/**
 * Decodes a BM reply and checks it answers `op`: magic, version 1, `op | 0x80`, a known status and
 * the exact layout of that op's reply (image id 1..255 only on OK; a version only on an OK QUERY;
 * rows only on an OK or TOO_LARGE LIST). Throws `BundleError` (`MALFORMED`, `TOO_LARGE` or
 * `MISMATCH`) otherwise.
 *
 * @example
 * const reply = decodeBundleReply(frame, BM_OP.QUERY);
 * if (reply.op === BM_OP.QUERY && reply.status === BundleStatus.OK) use(reply.imageId);
 */
export function decodeBundleReply(frame: Uint8Array, op: BundleOp): BundleReply {
  const h = readFrameHeader(frame, { magic: BM_MAGIC, version: BM_VERSION, maxFrame: BM_MAX_REPLY });
  if (!h.ok && h.problem === 'UNSUPPORTED') throw new BundleError('MISMATCH', 'version');
  if (!h.ok) throw new BundleError(h.problem, `bad header (${frame.byteLength} bytes)`);
  if (h.op !== (op | BM_REPLY_BIT)) throw new BundleError('MISMATCH', 'op');
  const r = h.reader;
  return guardFrame(() => {
    const status = r.u8();
    if (!isBundleStatus(status)) throw new BundleError('MALFORMED', `status ${status}`);
    let reply: BundleReply;
    if (op === BM_OP.INSTALL) {
      reply = { op, status, imageId: imageIdFor(status, r.u8()) };
    } else if (op === BM_OP.QUERY) {
      const imageId = imageIdFor(status, r.u8());
      const version = r.str8(BM_MAX_VERSION);
      if (status === BundleStatus.OK ? !BUNDLE_VERSION_PATTERN.test(version) : version !== '') {
        throw new BundleError('MALFORMED', 'version');
      }
      reply = { op, status, imageId, version };
    } else {
      const count = r.u8();
      if (count > 0 && status !== BundleStatus.OK && status !== BundleStatus.TOO_LARGE) {
        throw new BundleError('MALFORMED', `rows with status ${status}`);
      }
      const bundles: BundleSummary[] = [];
      for (let i = 0; i < count; i += 1) bundles.push(readRow(r));
      reply = { op, status, bundles };
    }
    r.end();
    return reply;
  }, BundleError, 'MALFORMED');
}
