import type { FrameReader } from '@nexus/ipc';
import { encodeKeystoreReply } from './encode-keystore-reply.js';
import { decodeFailure } from './decode-failure.js';
import {
  KS_MAGIC,
  KS_MAX_FRAME,
  KS_MAX_KEY,
  KS_MAX_PAYLOAD,
  KS_MAX_VALUE,
  KS_OP,
  KS_PUBKEY_BYTES,
  KS_SEAL_MESSAGE_BYTES,
  KS_SIGNATURE_BYTES,
  KS_STATUS,
  KS_VERSION,
  type KeystoreDecodeResult,
  type KeystoreRequest,
} from './ks-wire.js';
import { ProtoError } from './proto-error.js';
import { readGuard } from './read-guard.js';
import { hasSealDomain } from './has-seal-domain.js';
import { readFrameHeader } from './read-frame-header.js';

function bounded(length: number, max: number, what: string): number {
  if (length > max) throw new ProtoError('TOO_LARGE', `${what} of ${length} bytes exceeds ${max}`);
  return length;
}

function readKey(r: FrameReader): string {
  const n = bounded(readGuard(() => r.u8()), KS_MAX_KEY, 'key');
  if (n === 0) throw new ProtoError('MALFORMED', 'empty key');
  return readGuard(() => r.utf8(n));
}

function readBody(r: FrameReader, op: number): KeystoreRequest | undefined {
  switch (op) {
    case KS_OP.PUT: {
      const key = readKey(r);
      const vl = bounded(readGuard(() => r.u16()), KS_MAX_VALUE, 'value');
      return { op, key, value: readGuard(() => r.bytes(vl)) };
    }
    case KS_OP.GET:
    case KS_OP.DEL:
      return { op, key: readKey(r) };
    case KS_OP.VERIFY: {
      const plen = bounded(readGuard(() => r.u32()), KS_MAX_PAYLOAD, 'payload');
      return readGuard(() => ({
        op: KS_OP.VERIFY,
        publicKey: r.bytes(KS_PUBKEY_BYTES),
        signature: r.bytes(KS_SIGNATURE_BYTES),
        payload: r.bytes(plen),
      }));
    }
    case KS_OP.SIGN: {
      const plen = bounded(readGuard(() => r.u32()), KS_MAX_PAYLOAD, 'payload');
      return { op, payload: readGuard(() => r.bytes(plen)) };
    }
    case KS_OP.SEAL: {
      // No length field: a checkpoint message has one exact length, and must carry the domain
      // prefix, so the audit key can never be made to sign anything but a checkpoint.
      const message = readGuard(() => r.bytes(KS_SEAL_MESSAGE_BYTES));
      if (!hasSealDomain(message)) throw new ProtoError('MALFORMED', 'not a checkpoint message (domain prefix)');
      return { op, message };
    }
    case KS_OP.PUBKEY:
    case KS_OP.AUDIT_PUBKEY:
    case KS_OP.GET_DEVICE_PRIVKEY:
      return { op };
    default:
      return undefined;
  }
}

/**
 * Decodes a KS request as keystored receives it. Never throws: a bad frame comes back as
 * `{ ok: false, status, reply }` with the reply frame to send. Checks, in order: size
 * (> `KS_MAX_FRAME` → TOO_LARGE, before parsing), magic and header (→ MALFORMED), version and op
 * (→ UNSUPPORTED), field bounds (key > 64, value > 256, payload > 1 MiB → TOO_LARGE), then exact
 * layout (empty key, truncated, trailing, invalid UTF-8 key, a SEAL message that is not exactly
 * 202 bytes starting with `KS_SEAL_DOMAIN` → MALFORMED).
 *
 * @example
 * const res = decodeKeystoreRequest(msg.frame);
 * if (!res.ok) return res.reply;
 * if (res.request.op === KS_OP.SIGN) await gate(msg.senderServiceId);
 */
export function decodeKeystoreRequest(frame: Uint8Array): KeystoreDecodeResult {
  const h = readFrameHeader(frame, { magic: KS_MAGIC, version: KS_VERSION, maxFrame: KS_MAX_FRAME });
  const fail = (status: 2 | 3 | 4): KeystoreDecodeResult =>
    decodeFailure(status, { op: h.op }, encodeKeystoreReply({ op: (h.op ?? 0) & 0x7f, status, value: new Uint8Array(0) }));
  if (!h.ok) return fail(KS_STATUS[h.problem]);
  const r = h.reader;
  try {
    const request = readBody(r, h.op);
    if (request === undefined) return fail(KS_STATUS.UNSUPPORTED);
    readGuard(() => r.end());
    return { ok: true, request };
  } catch (cause) {
    return fail(cause instanceof ProtoError && cause.code === 'TOO_LARGE' ? KS_STATUS.TOO_LARGE : KS_STATUS.MALFORMED);
  }
}
