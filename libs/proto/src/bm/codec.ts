// The BM codec: encode and decode of a request and of a reply, as the README's layout tables give them.
import { FrameReader, FrameWriter, isServiceName } from '@nexus/ipc';
import { guardFrame } from '../guard-frame.js';
import { ProtoError } from '../proto-error.js';
import { readFrameHeader } from '../read-frame-header.js';
import {
  BM_MAGIC,
  BM_MAX_MANIFEST,
  BM_MAX_NAME,
  BM_MAX_REPLY,
  BM_MAX_REQUEST,
  BM_MAX_VERSION,
  BM_OP,
  BM_REPLY_BIT,
  BM_SIGNATURE_BYTES,
  BM_VERSION,
  BUNDLE_VERSION_PATTERN,
  BundleStatus,
  isBundleStatus,
  type BundleDecodeResult,
  type BundleOp,
  type BundleReply,
  type BundleRequest,
  type BundleSummary,
} from './wire.js';

/**
 * Encodes a BM request: INSTALL `[B,M,1,1, ml:u16, manifest[ml], sig[64]]`, QUERY
 * `[B,M,1,2, nl:u8, name[nl]]`, LIST `[B,M,1,3]`. Throws `ProtoError('BAD_VALUE')` for an empty or
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
        if (req.manifest.byteLength === 0) throw new ProtoError('BAD_VALUE', 'empty manifest');
        if (req.signature.byteLength !== BM_SIGNATURE_BYTES) throw new ProtoError('BAD_VALUE', 'signature must be 64 bytes');
        return w.bytes16(req.manifest, BM_MAX_MANIFEST).bytes(req.signature).finish();
      case 2:
        if (!isServiceName(req.name)) throw new ProtoError('BAD_VALUE', 'name must be 1..48 bytes of [a-z0-9._-]');
        return w.str8(req.name, BM_MAX_NAME).finish();
      case 3:
        return w.finish();
      default:
        throw new ProtoError('BAD_VALUE', `unknown op ${String((req as { op: unknown }).op)}`);
    }
  }, ProtoError, 'BAD_VALUE');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bounded(length: number, max: number, what: string): number {
  if (length > max) throw new ProtoError('TOO_LARGE', `${what} of ${length} bytes exceeds ${max}`);
  if (length === 0) throw new ProtoError('MALFORMED', `empty ${what}`);
  return length;
}

function readBody(r: FrameReader, op: number): BundleRequest | undefined {
  switch (op) {
    case BM_OP.INSTALL: {
      const ml = bounded(guardFrame(() => r.u16(), ProtoError, 'MALFORMED'), BM_MAX_MANIFEST, 'manifest');
      const manifest = guardFrame(() => r.bytes(ml), ProtoError, 'MALFORMED');
      try {
        utf8.decode(manifest);
      } catch (cause) {
        throw new ProtoError('MALFORMED', 'manifest is not UTF-8', { cause });
      }
      return { op, manifest, signature: guardFrame(() => r.bytes(BM_SIGNATURE_BYTES), ProtoError, 'MALFORMED') };
    }
    case BM_OP.QUERY: {
      const nl = bounded(guardFrame(() => r.u8(), ProtoError, 'MALFORMED'), BM_MAX_NAME, 'name');
      const name = guardFrame(() => r.utf8(nl), ProtoError, 'MALFORMED');
      if (!isServiceName(name)) throw new ProtoError('MALFORMED', 'name outside [a-z0-9._-]');
      return { op, name };
    }
    case BM_OP.LIST:
      return { op };
    default:
      return undefined;
  }
}

/**
 * Decodes a BM request as bundlemgrd receives it. Never throws: a bad frame comes back as
 * `{ ok: false, status, reply }` with the reply frame to send. Checks, in order: size (> 8192 →
 * TOO_LARGE, before parsing), magic and header (→ MALFORMED), version and op (→ UNSUPPORTED), field
 * bounds (manifest > 4096, name > 48 → TOO_LARGE), then exact layout (empty field, truncated,
 * trailing, manifest not UTF-8, name outside `[a-z0-9._-]` → MALFORMED).
 *
 * @example
 * const res = decodeBundleRequest(msg.frame);
 * if (!res.ok) return res.reply;
 */
export function decodeBundleRequest(frame: Uint8Array): BundleDecodeResult {
  const h = readFrameHeader(frame, { magic: BM_MAGIC, version: BM_VERSION, maxFrame: BM_MAX_REQUEST });
  const fail = (status: 2 | 3 | 4): BundleDecodeResult => ({ ok: false, status, reply: encodeBundleFailure(h.op ?? 0, status) });
  if (!h.ok) return fail(BundleStatus[h.problem]);
  const r = h.reader;
  try {
    const request = readBody(r, h.op);
    if (request === undefined) return fail(BundleStatus.UNSUPPORTED);
    guardFrame(() => r.end(), ProtoError, 'MALFORMED');
    return { ok: true, request };
  } catch (cause) {
    return fail(cause instanceof ProtoError && cause.code === 'TOO_LARGE' ? BundleStatus.TOO_LARGE : BundleStatus.MALFORMED);
  }
}

function checkImageId(status: BundleStatus, imageId: number): void {
  const ok = status === BundleStatus.OK;
  if (!Number.isInteger(imageId) || (ok ? imageId < 1 || imageId > 255 : imageId !== 0)) {
    throw new ProtoError('BAD_VALUE', `image id ${imageId} with status ${status}`);
  }
}

function checkRow(row: BundleSummary): void {
  checkImageId(BundleStatus.OK, row.imageId);
  if (!isServiceName(row.name) || !BUNDLE_VERSION_PATTERN.test(row.version)) {
    throw new ProtoError('BAD_VALUE', 'row name or version');
  }
}

/**
 * Encodes a BM reply `[B,M,1,op|0x80,status,...]`: INSTALL `image_id:u8`; QUERY
 * `image_id:u8, vl:u8, version`; LIST `count:u8, count × (image_id:u8, nl:u8, name, vl:u8, version)`.
 * Throws `ProtoError('BAD_VALUE')` for an unknown status, an image id outside 1..255 on OK (or not
 * 0 otherwise), a version on a non-OK QUERY, rows on a LIST that is neither OK nor TOO_LARGE, or a
 * reply over 4096 bytes.
 *
 * @example
 * encodeBundleReply({ op: BM_OP.INSTALL, status: BundleStatus.OK, imageId: 1 });
 * // [0x42,0x4d,0x01,0x81,0x00,0x01]
 */
export function encodeBundleReply(reply: BundleReply): Uint8Array {
  if (!isBundleStatus(reply.status)) throw new ProtoError('BAD_VALUE', `status ${String(reply.status)}`);
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
          throw new ProtoError('BAD_VALUE', `version with status ${reply.status}`);
        }
        return w.u8(reply.imageId).str8(reply.version, BM_MAX_VERSION).finish();
      case BM_OP.LIST:
        if (!ok && reply.status !== BundleStatus.TOO_LARGE && reply.bundles.length > 0) {
          throw new ProtoError('BAD_VALUE', `rows with status ${reply.status}`);
        }
        w.u8(reply.bundles.length);
        for (const row of reply.bundles) {
          checkRow(row);
          w.u8(row.imageId).str8(row.name, BM_MAX_NAME).str8(row.version, BM_MAX_VERSION);
        }
        return w.finish();
      default:
        throw new ProtoError('BAD_VALUE', `unknown op ${String((reply as { op: unknown }).op)}`);
    }
  }, ProtoError, 'BAD_VALUE');
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
  if (!isBundleStatus(status)) throw new ProtoError('BAD_VALUE', `status ${String(status)}`);
  return guardFrame(
    () => new FrameWriter(5).bytes(BM_MAGIC).u8(BM_VERSION).u8(code | BM_REPLY_BIT).u8(status).finish(),
    ProtoError,
    'BAD_VALUE',
  );
}

function imageIdFor(status: BundleStatus, imageId: number): number {
  if (status === BundleStatus.OK ? imageId === 0 : imageId !== 0) {
    throw new ProtoError('MALFORMED', `image id ${imageId} with status ${status}`);
  }
  return imageId;
}

function readRow(r: FrameReader): BundleSummary {
  const imageId = imageIdFor(BundleStatus.OK, r.u8());
  const name = r.str8(BM_MAX_NAME);
  const version = r.str8(BM_MAX_VERSION);
  if (!isServiceName(name) || !BUNDLE_VERSION_PATTERN.test(version)) {
    throw new ProtoError('MALFORMED', 'row name or version');
  }
  return { imageId, name, version };
}

/**
 * Decodes a BM reply and checks it answers `op`: magic, version 1, `op | 0x80`, a known status and
 * the exact layout of that op's reply (image id 1..255 only on OK; a version only on an OK QUERY;
 * rows only on an OK or TOO_LARGE LIST). Throws `ProtoError` (`MALFORMED`, `TOO_LARGE` or
 * `MISMATCH`) otherwise.
 *
 * @example
 * const reply = decodeBundleReply(frame, BM_OP.QUERY);
 * if (reply.op === BM_OP.QUERY && reply.status === BundleStatus.OK) use(reply.imageId);
 */
export function decodeBundleReply(frame: Uint8Array, op: BundleOp): BundleReply {
  const h = readFrameHeader(frame, { magic: BM_MAGIC, version: BM_VERSION, maxFrame: BM_MAX_REPLY });
  if (!h.ok && h.problem === 'UNSUPPORTED') throw new ProtoError('MISMATCH', 'version');
  if (!h.ok) throw new ProtoError(h.problem, `bad header (${frame.byteLength} bytes)`);
  if (h.op !== (op | BM_REPLY_BIT)) throw new ProtoError('MISMATCH', 'op');
  const r = h.reader;
  return guardFrame(() => {
    const status = r.u8();
    if (!isBundleStatus(status)) throw new ProtoError('MALFORMED', `status ${status}`);
    let reply: BundleReply;
    if (op === BM_OP.INSTALL) {
      reply = { op, status, imageId: imageIdFor(status, r.u8()) };
    } else if (op === BM_OP.QUERY) {
      const imageId = imageIdFor(status, r.u8());
      const version = r.str8(BM_MAX_VERSION);
      if (status === BundleStatus.OK ? !BUNDLE_VERSION_PATTERN.test(version) : version !== '') {
        throw new ProtoError('MALFORMED', 'version');
      }
      reply = { op, status, imageId, version };
    } else {
      const count = r.u8();
      if (count > 0 && status !== BundleStatus.OK && status !== BundleStatus.TOO_LARGE) {
        throw new ProtoError('MALFORMED', `rows with status ${status}`);
      }
      const bundles: BundleSummary[] = [];
      for (let i = 0; i < count; i += 1) bundles.push(readRow(r));
      reply = { op, status, bundles };
    }
    r.end();
    return reply;
  }, ProtoError, 'MALFORMED');
}
