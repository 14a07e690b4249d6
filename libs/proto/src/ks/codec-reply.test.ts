import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKeystoreReply, encodeKeystoreReply } from './codec.js';
import { decodeKeystorePubkey, encodeKeystorePubkey, type KeystorePubkey } from './pubkey.js';
import { KS_KEY_CLASS, KS_OP, KS_STATUS, type KeystoreReply } from './wire.js';
import { ProtoError } from '../proto-error.js';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const frame = (...b: number[]): Uint8Array => Uint8Array.from(b);


const golden: ReadonlyArray<{ name: string; reply: KeystoreReply; bytes: number[] }> = [
  { name: 'PUT ok', reply: { op: 1, status: 0, value: frame() }, bytes: [0x4b, 0x53, 0x01, 0x81, 0x00, 0x00, 0x00] },
  { name: 'PUT key exists', reply: { op: 1, status: 10, value: frame() }, bytes: [0x4b, 0x53, 0x01, 0x81, 0x0a, 0x00, 0x00] },
  { name: 'GET ok [7,8]', reply: { op: 2, status: 0, value: frame(7, 8) }, bytes: [0x4b, 0x53, 0x01, 0x82, 0x00, 0x02, 0x00, 0x07, 0x08] },
  { name: 'GET not found', reply: { op: 2, status: 1, value: frame() }, bytes: [0x4b, 0x53, 0x01, 0x82, 0x01, 0x00, 0x00] },
  { name: 'DEL key not found', reply: { op: 3, status: 11, value: frame() }, bytes: [0x4b, 0x53, 0x01, 0x83, 0x0b, 0x00, 0x00] },
  { name: 'VERIFY ok valid', reply: { op: 4, status: 0, value: frame(1) }, bytes: [0x4b, 0x53, 0x01, 0x84, 0x00, 0x01, 0x00, 0x01] },
  { name: 'SIGN deny', reply: { op: 5, status: 5, value: frame() }, bytes: [0x4b, 0x53, 0x01, 0x85, 0x05, 0x00, 0x00] },
  { name: 'SIGN too large', reply: { op: 5, status: 3, value: frame() }, bytes: [0x4b, 0x53, 0x01, 0x85, 0x03, 0x00, 0x00] },
  {
    name: 'GET_DEVICE_PRIVKEY denied',
    reply: { op: 13, status: 12, value: frame() },
    bytes: [0x4b, 0x53, 0x01, 0x8d, 0x0c, 0x00, 0x00],
  },
  { name: 'unsupported op 0', reply: { op: 0, status: 4, value: frame() }, bytes: [0x4b, 0x53, 0x01, 0x80, 0x04, 0x00, 0x00] },
  { name: 'malformed', reply: { op: 2, status: 2, value: frame() }, bytes: [0x4b, 0x53, 0x01, 0x82, 0x02, 0x00, 0x00] },
];

describe(encodeKeystoreReply, () => {
  for (const { name, reply, bytes } of golden) {
    it(`encodes ${name}`, () => expect([...encodeKeystoreReply(reply)]).toEqual(bytes));
  }
  const bad: ReadonlyArray<{ name: string; reply: KeystoreReply }> = [
    { name: 'test_reject_encode_value_1025', reply: { op: 2, status: 0, value: new Uint8Array(1025) } },
    { name: 'test_reject_encode_value_on_deny', reply: { op: 5, status: 5, value: frame(1) } },
    { name: 'test_reject_encode_status_6', reply: { op: 5, status: 6 as 5, value: frame() } },
    { name: 'test_reject_encode_op_0x80', reply: { op: 0x80, status: 0, value: frame() } },
  ];
  for (const { name, reply } of bad) {
    it(name, () => expect(() => encodeKeystoreReply(reply)).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'BAD_VALUE' })));
  }
  it('a 1024-byte value encodes', () => {
    expect(encodeKeystoreReply({ op: 2, status: 0, value: new Uint8Array(1024) }).byteLength).toBe(1031);
  });
});

describe(decodeKeystoreReply, () => {
  for (const { name, reply, bytes } of golden) {
    it(`decodes ${name}`, () => expect(decodeKeystoreReply(Uint8Array.from(bytes), reply.op)).toEqual(reply));
  }
  const rejects: ReadonlyArray<{ name: string; bytes: Uint8Array; op: number; code: string }> = [
    { name: 'test_reject_reply_wrong_op', bytes: frame(0x4b, 0x53, 1, 0x82, 0, 0, 0), op: 5, code: 'MISMATCH' },
    { name: 'test_reject_reply_no_reply_bit', bytes: frame(0x4b, 0x53, 1, 0x05, 0, 0, 0), op: 5, code: 'MISMATCH' },
    { name: 'test_reject_reply_version_2', bytes: frame(0x4b, 0x53, 2, 0x85, 0, 0, 0), op: 5, code: 'MISMATCH' },
    { name: 'test_reject_reply_bad_magic', bytes: frame(0x50, 0x4f, 1, 0x85, 0, 0, 0), op: 5, code: 'MALFORMED' },
    { name: 'test_reject_reply_unknown_status 6', bytes: frame(0x4b, 0x53, 1, 0x85, 6, 0, 0), op: 5, code: 'MALFORMED' },
    { name: 'test_reject_reply_truncated_value', bytes: frame(0x4b, 0x53, 1, 0x82, 0, 2, 0, 1), op: 2, code: 'MALFORMED' },
    { name: 'test_reject_reply_trailing_byte', bytes: frame(0x4b, 0x53, 1, 0x82, 0, 0, 0, 1), op: 2, code: 'MALFORMED' },
    { name: 'test_reject_reply_value_on_deny', bytes: frame(0x4b, 0x53, 1, 0x85, 5, 1, 0, 1), op: 5, code: 'MALFORMED' },
    { name: 'test_reject_reply_vlen_1025', bytes: frame(0x4b, 0x53, 1, 0x82, 0, 0x01, 0x04, ...new Array<number>(1025).fill(0)), op: 2, code: 'TOO_LARGE' },
    { name: 'test_reject_reply_short', bytes: frame(0x4b, 0x53, 1, 0x82, 0, 0), op: 2, code: 'MALFORMED' },
  ];
  for (const { name, bytes, op, code } of rejects) {
    it(name, () => expect(() => decodeKeystoreReply(bytes, op)).toThrow(expect.objectContaining({ name: 'ProtoError', code: code })));
  }

  it('property: random bytes throw nothing but ProtoError; a result matches the op', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 4, 5, 6, 13), fc.uint8Array({ maxLength: 40 }), (op, tail) => {
        for (const bytes of [tail, Uint8Array.from([0x4b, 0x53, 1, op | 0x80, ...tail])]) {
          try {
            const reply = decodeKeystoreReply(bytes, op);
            expect(reply.op).toBe(op);
            if (reply.status !== KS_STATUS.OK) expect(reply.value.byteLength).toBe(0);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtoError);
          }
        }
      }),
    );
  });

  it('property: encode → decode round trip', () => {
    const arb = fc.record({
      op: fc.constantFrom(1, 2, 3, 4, 5, 6, 13),
      status: fc.constantFrom(...Object.values(KS_STATUS)),
      value: fc.uint8Array({ maxLength: 1024 }),
    });
    fc.assert(
      fc.property(arb, ({ op, status, value }) => {
        const reply: KeystoreReply = { op, status, value: status === 0 ? value : frame() };
        expect(decodeKeystoreReply(encodeKeystoreReply(reply), op)).toEqual(reply);
      }),
    );
  });
});

describe(encodeKeystorePubkey, () => {
  const pub: KeystorePubkey = {
    publicKey: Uint8Array.from({ length: 32 }, (_, i) => i),
    keyClass: KS_KEY_CLASS.BRINGUP_NOT_FOR_PRODUCTION,
    label: 'bringup',
  };
  const bytes = [...pub.publicKey, 0x01, 0x07, ...ascii('bringup')];

  it('encodes pubkey[32], class 1, label', () => expect([...encodeKeystorePubkey(pub)]).toEqual(bytes));
  it('decodes it back', () => expect(decodeKeystorePubkey(Uint8Array.from(bytes))).toEqual(pub));

  const bad: ReadonlyArray<{ name: string; pub: KeystorePubkey }> = [
    { name: 'test_reject_pubkey_31_bytes', pub: { ...pub, publicKey: new Uint8Array(31) } },
    { name: 'test_reject_key_class_0', pub: { ...pub, keyClass: 0 } },
    { name: 'test_reject_label_empty', pub: { ...pub, label: '' } },
    { name: 'test_reject_label_65', pub: { ...pub, label: 'x'.repeat(65) } },
    { name: 'test_reject_label_newline', pub: { ...pub, label: 'a\nb' } },
  ];
  for (const { name, pub: p } of bad) {
    it(name, () => expect(() => encodeKeystorePubkey(p)).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'BAD_VALUE' })));
  }

  const badBytes: ReadonlyArray<{ name: string; bytes: number[] }> = [
    { name: 'test_reject_decode_truncated_key', bytes: bytes.slice(0, 31) },
    { name: 'test_reject_decode_trailing', bytes: [...bytes, 0] },
    { name: 'test_reject_decode_class_0', bytes: [...pub.publicKey, 0, 1, 0x61] },
    { name: 'test_reject_decode_empty_label', bytes: [...pub.publicKey, 1, 0] },
  ];
  for (const { name, bytes: b } of badBytes) {
    it(name, () => expect(() => decodeKeystorePubkey(Uint8Array.from(b))).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'MALFORMED' })));
  }

  it('property: decodeKeystorePubkey throws nothing but ProtoError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
        try {
          const p = decodeKeystorePubkey(b);
          expect([...encodeKeystorePubkey(p)]).toEqual([...b]);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtoError);
        }
      }),
    );
  });
});

describe('KS_OP', () => {
  it('keeps the reference numbering', () => {
    expect(KS_OP).toEqual({ PUT: 1, GET: 2, DEL: 3, VERIFY: 4, SIGN: 5, PUBKEY: 6, SEAL: 7, AUDIT_PUBKEY: 8, GET_DEVICE_PRIVKEY: 13 });
  });
});
