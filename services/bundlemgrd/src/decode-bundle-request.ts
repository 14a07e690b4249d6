import { FrameReader, isServiceName } from '@nexus/ipc';
import { guardFrame, readFrameHeader } from '@nexus/proto';
import {
  BM_MAGIC,
  BM_MAX_MANIFEST,
  BM_MAX_NAME,
  BM_MAX_REQUEST,
  BM_OP,
  BM_SIGNATURE_BYTES,
  BM_VERSION,
  BundleStatus,
  type BundleDecodeResult,
  type BundleRequest,
} from './bm-wire.js';
import { BundleError } from './bundle-error.js';
import { encodeBundleFailure } from './encode-bundle-reply.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bounded(length: number, max: number, what: string): number {
  if (length > max) throw new BundleError('TOO_LARGE', `${what} of ${length} bytes exceeds ${max}`);
  if (length === 0) throw new BundleError('MALFORMED', `empty ${what}`);
  return length;
}

function readBody(r: FrameReader, op: number): BundleRequest | undefined {
  switch (op) {
    case BM_OP.INSTALL: {
      const ml = bounded(guardFrame(() => r.u16(), BundleError, 'MALFORMED'), BM_MAX_MANIFEST, 'manifest');
      const manifest = guardFrame(() => r.bytes(ml), BundleError, 'MALFORMED');
      try {
        utf8.decode(manifest);
      } catch (cause) {
        throw new BundleError('MALFORMED', 'manifest is not UTF-8', { cause });
      }
      return { op, manifest, signature: guardFrame(() => r.bytes(BM_SIGNATURE_BYTES), BundleError, 'MALFORMED') };
    }
    case BM_OP.QUERY: {
      const nl = bounded(guardFrame(() => r.u8(), BundleError, 'MALFORMED'), BM_MAX_NAME, 'name');
      const name = guardFrame(() => r.utf8(nl), BundleError, 'MALFORMED');
      if (!isServiceName(name)) throw new BundleError('MALFORMED', 'name outside [a-z0-9._-]');
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
    guardFrame(() => r.end(), BundleError, 'MALFORMED');
    return { ok: true, request };
  } catch (cause) {
    return fail(cause instanceof BundleError && cause.code === 'TOO_LARGE' ? BundleStatus.TOO_LARGE : BundleStatus.MALFORMED);
  }
}
