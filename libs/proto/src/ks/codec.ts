// The KS codec: encode and decode of a request and of a reply, as the README's layout tables give them.
import { FrameWriter, type FrameReader } from '@nexus/ipc';
import { decodeFailure } from '../decode-failure.js';
import { hasSealDomain } from './has-seal-domain.js';
import { ProtoError } from '../proto-error.js';
import { readFrameHeader } from '../read-frame-header.js';
import { readGuard } from '../read-guard.js';
import {
  KS_MAGIC,
  KS_MAX_FRAME,
  KS_MAX_KEY,
  KS_MAX_PAYLOAD,
  KS_MAX_REPLY_VALUE,
  KS_MAX_VALUE,
  KS_OP,
  KS_PUBKEY_BYTES,
  KS_SEAL_MESSAGE_BYTES,
  KS_SIGNATURE_BYTES,
  KS_STATUS,
  KS_VERSION,
  isKeystoreStatus,
  type KeystoreDecodeResult,
  type KeystoreReply,
  type KeystoreRequest,
} from './wire.js';

const encoder = new TextEncoder();

function exact(bytes: Uint8Array, n: number, what: string): Uint8Array {
  if (bytes.byteLength !== n) throw new ProtoError('BAD_VALUE', `${what} must be ${n} bytes`);
  return bytes;
}

function frameSize(req: KeystoreRequest): number {
  if (req.op === 4) return 8 + KS_PUBKEY_BYTES + KS_SIGNATURE_BYTES + Math.min(req.payload.byteLength, KS_MAX_FRAME);
  if (req.op === 5) return 8 + Math.min(req.payload.byteLength, KS_MAX_FRAME);
  if (req.op === 7) return 4 + KS_SEAL_MESSAGE_BYTES;
  return 4 + 1 + KS_MAX_KEY + 2 + KS_MAX_VALUE;
}

/**
 * Encodes a KS request: PUT `[K,S,1,1, kl:u8, key, vl:u16, value]`, GET / DEL
 * `[K,S,1,op, kl:u8, key]`, VERIFY `[K,S,1,4, plen:u32, pubkey[32], sig[64], payload]`, SIGN
 * `[K,S,1,5, plen:u32, payload]`, SEAL `[K,S,1,7, message[202]]` (a checkpoint message, no length
 * field), PUBKEY, AUDIT_PUBKEY and GET_DEVICE_PRIVKEY header only. Throws
 * `ProtoError('BAD_VALUE')` for a key outside 1..64 bytes, a value over 256, a payload over 1 MiB or
 * a public key / signature of the wrong size, or a SEAL message that is not 202 bytes starting with
 * `KS_SEAL_DOMAIN`.
 *
 * @example
 * encodeKeystoreRequest({ op: KS_OP.GET, key: 'k' }); // [0x4b,0x53,0x01,0x02,0x01,0x6b]
 */
export function encodeKeystoreRequest(req: KeystoreRequest): Uint8Array {
  return readGuard(() => {
    const w = new FrameWriter(frameSize(req)).bytes(KS_MAGIC).u8(KS_VERSION).u8(req.op);
    switch (req.op) {
      case 1:
      case 2:
      case 3: {
        const key = encoder.encode(req.key);
        if (key.byteLength === 0) throw new ProtoError('BAD_VALUE', 'empty key');
        w.bytes8(key, KS_MAX_KEY);
        if (req.op === 1) w.bytes16(req.value, KS_MAX_VALUE);
        break;
      }
      case 4:
        if (req.payload.byteLength > KS_MAX_PAYLOAD) throw new ProtoError('BAD_VALUE', 'payload over 1 MiB');
        w.u32(req.payload.byteLength)
          .bytes(exact(req.publicKey, KS_PUBKEY_BYTES, 'public key'))
          .bytes(exact(req.signature, KS_SIGNATURE_BYTES, 'signature'))
          .bytes(req.payload);
        break;
      case 5:
        w.bytes32(req.payload, KS_MAX_PAYLOAD);
        break;
      case 7: {
        const message = exact(req.message, KS_SEAL_MESSAGE_BYTES, 'seal message');
        if (!hasSealDomain(message)) throw new ProtoError('BAD_VALUE', 'seal message must start with KS_SEAL_DOMAIN');
        w.bytes(message);
        break;
      }
      case 6:
      case 8:
      case 13:
        break;
      default:
        throw new ProtoError('BAD_VALUE', `unknown op ${String((req as { op: unknown }).op)}`);
    }
    return w.finish();
  }, 'BAD_VALUE');
}

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

/**
 * Encodes a KS reply `[K,S,1,op|0x80,status,vlen:u16,value]`. Throws `ProtoError('BAD_VALUE')` for
 * an op outside 0..0x7f, an unknown status, a value over 1024 bytes, or a value on a non-OK reply
 * (errors carry no detail).
 *
 * @example
 * encodeKeystoreReply({ op: KS_OP.GET_DEVICE_PRIVKEY, status: KS_STATUS.PRIVATE_EXPORT_DENIED, value: new Uint8Array(0) });
 * // [0x4b,0x53,0x01,0x8d,0x0c,0x00,0x00]
 */
export function encodeKeystoreReply(reply: KeystoreReply): Uint8Array {
  const { op, status, value } = reply;
  if (!Number.isInteger(op) || op < 0 || op > 0x7f) throw new ProtoError('BAD_VALUE', `op ${op}`);
  if (!isKeystoreStatus(status)) throw new ProtoError('BAD_VALUE', `status ${String(status)}`);
  if (status !== KS_STATUS.OK && value.byteLength !== 0) throw new ProtoError('BAD_VALUE', 'value on a non-OK reply');
  return readGuard(
    () =>
      new FrameWriter(7 + KS_MAX_REPLY_VALUE)
        .bytes(KS_MAGIC)
        .u8(KS_VERSION)
        .u8(op | 0x80)
        .u8(status)
        .bytes16(value, KS_MAX_REPLY_VALUE)
        .finish(),
    'BAD_VALUE',
  );
}

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
