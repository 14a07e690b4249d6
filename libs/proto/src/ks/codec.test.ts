import { describe, expect, it } from 'vitest';
import { decodeKeystoreReply, decodeKeystoreRequest, encodeKeystoreReply, encodeKeystoreRequest } from './codec.js';
import { KS_OP, KS_SEAL_DOMAIN, KS_SEAL_MESSAGE_BYTES, KS_STATUS, type KeystoreReply, type KeystoreRequest } from './wire.js';

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
const message = new Uint8Array(KS_SEAL_MESSAGE_BYTES);
message.set(KS_SEAL_DOMAIN);

/** Every KS op once: encode → decode must give the input back. */
const requests: readonly KeystoreRequest[] = [
  { op: KS_OP.PUT, key: 'wifi', value: bytes(3, 1) },
  { op: KS_OP.GET, key: 'wifi' },
  { op: KS_OP.DEL, key: 'wifi' },
  { op: KS_OP.VERIFY, publicKey: bytes(32, 2), signature: bytes(64, 3), payload: bytes(5, 4) },
  { op: KS_OP.SIGN, payload: bytes(9, 5) },
  { op: KS_OP.PUBKEY },
  { op: KS_OP.SEAL, message },
  { op: KS_OP.AUDIT_PUBKEY },
  { op: KS_OP.GET_DEVICE_PRIVKEY },
];

/** One reply per op, OK with a value where the op returns one, and every failure status once. */
const replies: readonly KeystoreReply[] = [
  { op: KS_OP.PUT, status: KS_STATUS.OK, value: new Uint8Array() },
  { op: KS_OP.GET, status: KS_STATUS.OK, value: bytes(4, 6) },
  { op: KS_OP.DEL, status: KS_STATUS.KEY_NOT_FOUND, value: new Uint8Array() },
  { op: KS_OP.VERIFY, status: KS_STATUS.OK, value: Uint8Array.of(1) },
  { op: KS_OP.SIGN, status: KS_STATUS.OK, value: bytes(64, 7) },
  { op: KS_OP.PUBKEY, status: KS_STATUS.NOT_FOUND, value: new Uint8Array() },
  { op: KS_OP.SEAL, status: KS_STATUS.DENY, value: new Uint8Array() },
  { op: KS_OP.AUDIT_PUBKEY, status: KS_STATUS.TOO_LARGE, value: new Uint8Array() },
  { op: KS_OP.GET_DEVICE_PRIVKEY, status: KS_STATUS.PRIVATE_EXPORT_DENIED, value: new Uint8Array() },
  { op: KS_OP.PUT, status: KS_STATUS.KEY_EXISTS, value: new Uint8Array() },
  { op: KS_OP.GET, status: KS_STATUS.MALFORMED, value: new Uint8Array() },
  { op: KS_OP.GET, status: KS_STATUS.UNSUPPORTED, value: new Uint8Array() },
];

describe('KS codec round trip', () => {
  it.each(requests.map((r) => [r.op, r] as const))('request op %i: encode → decode = input', (_, request) => {
    expect(decodeKeystoreRequest(encodeKeystoreRequest(request))).toEqual({ ok: true, request });
  });

  it.each(replies.map((r) => [r.op, r.status, r] as const))('reply op %i status %i: encode → decode = input', (_, __, reply) => {
    expect(decodeKeystoreReply(encodeKeystoreReply(reply), reply.op)).toEqual(reply);
  });

  it('covers every op and every status', () => {
    expect(requests.map((r) => r.op).sort()).toEqual(Object.values(KS_OP).sort());
    expect([...new Set(replies.map((r) => r.status))].sort()).toEqual(Object.values(KS_STATUS).sort());
  });
});
