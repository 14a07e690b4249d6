import { FrameWriter } from '@nexus/ipc';
import {
  KS_MAGIC,
  KS_MAX_FRAME,
  KS_MAX_KEY,
  KS_MAX_PAYLOAD,
  KS_MAX_VALUE,
  KS_PUBKEY_BYTES,
  KS_SEAL_MESSAGE_BYTES,
  KS_SIGNATURE_BYTES,
  KS_VERSION,
  type KeystoreRequest,
} from './ks-wire.js';
import { ProtoError } from './proto-error.js';
import { hasSealDomain } from './has-seal-domain.js';
import { readGuard } from './read-guard.js';

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
