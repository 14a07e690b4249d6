import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKeystoreRequest, encodeKeystoreRequest } from './codec.js';
import { KS_MAX_FRAME, KS_MAX_PAYLOAD, KS_OP, KS_SEAL_DOMAIN, KS_SEAL_MESSAGE_BYTES, KS_STATUS, type KeystoreRequest } from './wire.js';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
const frame = (...b: number[]): Uint8Array => Uint8Array.from(b);
const PUB = Array.from({ length: 32 }, (_, i) => i);
const SIG = Array.from({ length: 64 }, (_, i) => 0xff - i);

/** A well-formed SEAL message: the domain prefix, then 176 arbitrary bytes. */
const MSG = [...KS_SEAL_DOMAIN, ...Array.from({ length: KS_SEAL_MESSAGE_BYTES - KS_SEAL_DOMAIN.byteLength }, (_, i) => i & 0xff)];
const badDomain = MSG.map((b, i) => (i === 0 ? b ^ 0x20 : b));

const golden: ReadonlyArray<{ name: string; bytes: number[]; request: KeystoreRequest }> = [
  {
    name: 'PUT "k" = [1,2]',
    bytes: [0x4b, 0x53, 0x01, 0x01, 0x01, ...ascii('k'), 0x02, 0x00, 0x01, 0x02],
    request: { op: KS_OP.PUT, key: 'k', value: frame(1, 2) },
  },
  {
    name: 'PUT "k" = empty value',
    bytes: [0x4b, 0x53, 0x01, 0x01, 0x01, ...ascii('k'), 0x00, 0x00],
    request: { op: KS_OP.PUT, key: 'k', value: frame() },
  },
  { name: 'GET "wifi"', bytes: [0x4b, 0x53, 0x01, 0x02, 0x04, ...ascii('wifi')], request: { op: KS_OP.GET, key: 'wifi' } },
  { name: 'DEL "wifi"', bytes: [0x4b, 0x53, 0x01, 0x03, 0x04, ...ascii('wifi')], request: { op: KS_OP.DEL, key: 'wifi' } },
  {
    name: 'VERIFY 3-byte payload',
    bytes: [0x4b, 0x53, 0x01, 0x04, 0x03, 0x00, 0x00, 0x00, ...PUB, ...SIG, 0x61, 0x62, 0x63],
    request: { op: KS_OP.VERIFY, publicKey: frame(...PUB), signature: frame(...SIG), payload: frame(0x61, 0x62, 0x63) },
  },
  {
    name: 'SIGN 2-byte payload',
    bytes: [0x4b, 0x53, 0x01, 0x05, 0x02, 0x00, 0x00, 0x00, 0x68, 0x69],
    request: { op: KS_OP.SIGN, payload: frame(0x68, 0x69) },
  },
  { name: 'SIGN empty payload', bytes: [0x4b, 0x53, 0x01, 0x05, 0, 0, 0, 0], request: { op: KS_OP.SIGN, payload: frame() } },
  { name: 'PUBKEY', bytes: [0x4b, 0x53, 0x01, 0x06], request: { op: KS_OP.PUBKEY } },
  { name: 'SEAL a checkpoint message', bytes: [0x4b, 0x53, 0x01, 0x07, ...MSG], request: { op: KS_OP.SEAL, message: frame(...MSG) } },
  { name: 'AUDIT_PUBKEY', bytes: [0x4b, 0x53, 0x01, 0x08], request: { op: KS_OP.AUDIT_PUBKEY } },
  { name: 'GET_DEVICE_PRIVKEY', bytes: [0x4b, 0x53, 0x01, 0x0d], request: { op: KS_OP.GET_DEVICE_PRIVKEY } },
];

function bigFrame(op: number, plen: number, extraHeader: number[] = []): Uint8Array {
  const head = [0x4b, 0x53, 1, op, ...u32(plen), ...extraHeader];
  const bytes = new Uint8Array(head.length + plen);
  bytes.set(head);
  return bytes;
}

describe(decodeKeystoreRequest, () => {
  for (const { name, bytes, request } of golden) {
    it(`decodes ${name}`, () => expect(decodeKeystoreRequest(Uint8Array.from(bytes))).toEqual({ ok: true, request }));
    it(`encodes ${name}`, () => expect([...encodeKeystoreRequest(request)]).toEqual(bytes));
  }

  it('accepts a 64-byte key, a 256-byte value and a 1 MiB VERIFY payload (KS_MAX_FRAME exactly)', () => {
    const key = 'k'.repeat(64);
    const put = decodeKeystoreRequest(frame(0x4b, 0x53, 1, 1, 64, ...ascii(key), 0x00, 0x01, ...new Array<number>(256).fill(7)));
    expect(put).toMatchObject({ ok: true, request: { op: 1, key } });
    const verify = bigFrame(4, KS_MAX_PAYLOAD, [...PUB, ...SIG]);
    expect(verify.byteLength).toBe(KS_MAX_FRAME);
    expect(decodeKeystoreRequest(verify)).toMatchObject({ ok: true, request: { op: 4 } });
  });

  const rejects: ReadonlyArray<{ name: string; bytes: Uint8Array; status: number; op?: number }> = [
    { name: 'test_reject_key_65_bytes', bytes: frame(0x4b, 0x53, 1, 2, 65, ...ascii('k'.repeat(65))), status: KS_STATUS.TOO_LARGE, op: 2 },
    {
      name: 'test_reject_value_257_bytes',
      bytes: frame(0x4b, 0x53, 1, 1, 1, 0x6b, 0x01, 0x01, ...new Array<number>(257).fill(0)),
      status: KS_STATUS.TOO_LARGE,
      op: 1,
    },
    { name: 'test_reject_sign_payload_1MiB_plus_1', bytes: bigFrame(5, KS_MAX_PAYLOAD + 1), status: KS_STATUS.TOO_LARGE, op: 5 },
    {
      name: 'test_reject_verify_plen_1MiB_plus_1 (declared, not sent)',
      bytes: frame(0x4b, 0x53, 1, 4, ...u32(KS_MAX_PAYLOAD + 1), ...PUB, ...SIG),
      status: KS_STATUS.TOO_LARGE,
      op: 4,
    },
    { name: 'test_reject_frame_over_KS_MAX_FRAME', bytes: new Uint8Array(KS_MAX_FRAME + 1), status: KS_STATUS.TOO_LARGE },
    { name: 'test_reject_empty_key', bytes: frame(0x4b, 0x53, 1, 3, 0), status: KS_STATUS.MALFORMED, op: 3 },
    { name: 'test_reject_truncated_key', bytes: frame(0x4b, 0x53, 1, 2, 4, 0x61), status: KS_STATUS.MALFORMED, op: 2 },
    { name: 'test_reject_invalid_utf8_key', bytes: frame(0x4b, 0x53, 1, 2, 1, 0xc3), status: KS_STATUS.MALFORMED, op: 2 },
    { name: 'test_reject_trailing_byte', bytes: frame(0x4b, 0x53, 1, 6, 0), status: KS_STATUS.MALFORMED, op: 6 },
    { name: 'test_reject_sign_plen_mismatch', bytes: frame(0x4b, 0x53, 1, 5, ...u32(3), 1, 2), status: KS_STATUS.MALFORMED, op: 5 },
    { name: 'test_reject_verify_short_signature', bytes: frame(0x4b, 0x53, 1, 4, ...u32(0), ...PUB, ...SIG.slice(1)), status: KS_STATUS.MALFORMED, op: 4 },
    { name: 'test_reject_put_missing_value_length', bytes: frame(0x4b, 0x53, 1, 1, 1, 0x6b), status: KS_STATUS.MALFORMED, op: 1 },
    { name: 'test_reject_bad_magic', bytes: frame(0x50, 0x4f, 1, 6), status: KS_STATUS.MALFORMED },
    { name: 'test_reject_short_header', bytes: frame(0x4b, 0x53, 1), status: KS_STATUS.MALFORMED },
    { name: 'test_reject_unknown_version 2', bytes: frame(0x4b, 0x53, 2, 6), status: KS_STATUS.UNSUPPORTED, op: 6 },
    { name: 'test_reject_unknown_op 9', bytes: frame(0x4b, 0x53, 1, 9), status: KS_STATUS.UNSUPPORTED, op: 9 },
    { name: 'test_reject_seal_empty', bytes: frame(0x4b, 0x53, 1, 7), status: KS_STATUS.MALFORMED, op: 7 },
    { name: 'test_reject_seal_201_bytes', bytes: frame(0x4b, 0x53, 1, 7, ...MSG.slice(0, 201)), status: KS_STATUS.MALFORMED, op: 7 },
    { name: 'test_reject_seal_203_bytes', bytes: frame(0x4b, 0x53, 1, 7, ...MSG, 0), status: KS_STATUS.MALFORMED, op: 7 },
    { name: 'test_reject_seal_domain_only', bytes: frame(0x4b, 0x53, 1, 7, ...KS_SEAL_DOMAIN), status: KS_STATUS.MALFORMED, op: 7 },
    { name: 'test_reject_seal_wrong_domain', bytes: frame(0x4b, 0x53, 1, 7, ...badDomain), status: KS_STATUS.MALFORMED, op: 7 },
    {
      name: 'test_reject_seal_as_general_signer (a 202-byte SIGN-style payload)',
      bytes: frame(0x4b, 0x53, 1, 7, ...new Array<number>(KS_SEAL_MESSAGE_BYTES).fill(0x41)),
      status: KS_STATUS.MALFORMED,
      op: 7,
    },
    { name: 'test_reject_audit_pubkey_trailing_byte', bytes: frame(0x4b, 0x53, 1, 8, 0), status: KS_STATUS.MALFORMED, op: 8 },
    { name: 'test_reject_unknown_op 0x7f', bytes: frame(0x4b, 0x53, 1, 0x7f), status: KS_STATUS.UNSUPPORTED, op: 0x7f },
  ];
  for (const { name, bytes, status, op } of rejects) {
    it(name, () => {
      const res = decodeKeystoreRequest(bytes);
      expect(res).toMatchObject({ ok: false, status, ...(op === undefined ? {} : { op }) });
      if (!res.ok) expect([...res.reply]).toEqual([0x4b, 0x53, 1, ((op ?? 0) & 0x7f) | 0x80, status, 0, 0]);
    });
  }

  it('property: random bytes never throw and results are well-formed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const res = decodeKeystoreRequest(bytes);
        if (res.ok) expect([...encodeKeystoreRequest(res.request)]).toEqual([...bytes]);
        else expect(res.reply.byteLength).toBe(7);
      }),
    );
  });

  it('property: random KS-headed frames never throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 4, 5, 6, 7, 8, 13), fc.uint8Array({ maxLength: 300 }), (op, body) => {
        const bytes = Uint8Array.from([0x4b, 0x53, 1, op, ...body]);
        const res = decodeKeystoreRequest(bytes);
        if (res.ok) expect([...encodeKeystoreRequest(res.request)]).toEqual([...bytes]);
      }),
    );
  });
});

const key = fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme-ascii' });
const arbKeystoreRequest: fc.Arbitrary<KeystoreRequest> = fc.oneof(
  fc.record({ op: fc.constant(1 as const), key, value: fc.uint8Array({ maxLength: 256 }) }),
  fc.record({ op: fc.constant(2 as const), key }),
  fc.record({ op: fc.constant(3 as const), key }),
  fc.record({
    op: fc.constant(4 as const),
    publicKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    payload: fc.uint8Array({ maxLength: 300 }),
  }),
  fc.record({ op: fc.constant(5 as const), payload: fc.uint8Array({ maxLength: 300 }) }),
  fc.constant({ op: 6 as const }),
  fc
    .uint8Array({ minLength: KS_SEAL_MESSAGE_BYTES - KS_SEAL_DOMAIN.byteLength, maxLength: KS_SEAL_MESSAGE_BYTES - KS_SEAL_DOMAIN.byteLength })
    .map((rest) => ({ op: 7 as const, message: Uint8Array.from([...KS_SEAL_DOMAIN, ...rest]) })),
  fc.constant({ op: 8 as const }),
  fc.constant({ op: 13 as const }),
);

describe(encodeKeystoreRequest, () => {
  it('property: encode → decode round trip', () => {
    fc.assert(
      fc.property(arbKeystoreRequest, (request) => {
        expect(decodeKeystoreRequest(encodeKeystoreRequest(request))).toEqual({ ok: true, request });
      }),
    );
  });

  const bad: ReadonlyArray<{ name: string; request: KeystoreRequest }> = [
    { name: 'test_reject_encode_empty_key', request: { op: 2, key: '' } },
    { name: 'test_reject_encode_key_65', request: { op: 3, key: 'k'.repeat(65) } },
    { name: 'test_reject_encode_value_257', request: { op: 1, key: 'k', value: new Uint8Array(257) } },
    { name: 'test_reject_encode_sign_1MiB_plus_1', request: { op: 5, payload: new Uint8Array(KS_MAX_PAYLOAD + 1) } },
    {
      name: 'test_reject_encode_verify_1MiB_plus_1',
      request: { op: 4, publicKey: new Uint8Array(32), signature: new Uint8Array(64), payload: new Uint8Array(KS_MAX_PAYLOAD + 1) },
    },
    { name: 'test_reject_encode_pubkey_31', request: { op: 4, publicKey: new Uint8Array(31), signature: new Uint8Array(64), payload: frame() } },
    { name: 'test_reject_encode_seal_201', request: { op: 7, message: frame(...MSG.slice(0, 201)) } },
    { name: 'test_reject_encode_seal_203', request: { op: 7, message: frame(...MSG, 0) } },
    { name: 'test_reject_encode_seal_wrong_domain', request: { op: 7, message: frame(...badDomain) } },
    { name: 'test_reject_encode_sig_65', request: { op: 4, publicKey: new Uint8Array(32), signature: new Uint8Array(65), payload: frame() } },
  ];
  for (const { name, request } of bad) {
    it(name, () => expect(() => encodeKeystoreRequest(request)).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'BAD_VALUE' })));
  }

  it('a 1 MiB SIGN payload encodes', () => {
    expect(encodeKeystoreRequest({ op: 5, payload: new Uint8Array(KS_MAX_PAYLOAD) }).byteLength).toBe(8 + KS_MAX_PAYLOAD);
  });
});
