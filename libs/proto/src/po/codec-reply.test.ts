import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePolicyReply, encodePolicyReply } from './codec.js';
import { PO_OP, PO_STATUS, type PolicyReply, type PolicyReplyHeader } from './wire.js';
import { ProtoError } from '../proto-error.js';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const frame = (...b: number[]): Uint8Array => Uint8Array.from(b);


const golden: ReadonlyArray<{ name: string; reply: PolicyReply; bytes: number[] }> = [
  { name: 'v1 CHECK allow', reply: { version: 1, op: 1, status: 0 }, bytes: [0x50, 0x4f, 0x01, 0x81, 0x00, 0x00] },
  { name: 'v1 ROUTE deny', reply: { version: 1, op: 2, status: 1 }, bytes: [0x50, 0x4f, 0x01, 0x82, 0x01, 0x00] },
  { name: 'v1 EXEC malformed', reply: { version: 1, op: 3, status: 2 }, bytes: [0x50, 0x4f, 0x01, 0x83, 0x02, 0x00] },
  { name: 'v1 CHECK_CAP unsupported', reply: { version: 1, op: 4, status: 3 }, bytes: [0x50, 0x4f, 0x01, 0x84, 0x03, 0x00] },
  { name: 'v1 CHECK_CAP_DELEGATED too large', reply: { version: 1, op: 5, status: 4 }, bytes: [0x50, 0x4f, 0x01, 0x85, 0x04, 0x00] },
  {
    name: 'v2 ROUTE deny nonce 0x01020304',
    reply: { version: 2, op: 2, nonce: 0x01020304, status: 1 },
    bytes: [0x50, 0x4f, 0x02, 0x82, 0x04, 0x03, 0x02, 0x01, 0x01, 0x00],
  },
  {
    name: 'v2 CHECK_CAP_DELEGATED allow nonce 9',
    reply: { version: 2, op: 5, nonce: 9, status: 0 },
    bytes: [0x50, 0x4f, 0x02, 0x85, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00],
  },
  {
    name: 'v3 EXEC allow nonce 0xffffffff',
    reply: { version: 3, op: 3, nonce: 0xffffffff, status: 0 },
    bytes: [0x50, 0x4f, 0x03, 0x83, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
  },
  {
    name: 'v2 VERSION allow "po/3"',
    reply: { version: 2, op: 7, nonce: 1, status: 0, label: 'po/3' },
    bytes: [0x50, 0x4f, 0x02, 0x87, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, ...ascii('po/3')],
  },
  {
    name: 'v2 VERSION malformed (empty label)',
    reply: { version: 2, op: 7, nonce: 1, status: 2 },
    bytes: [0x50, 0x4f, 0x02, 0x87, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00],
  },
];

const header = (r: PolicyReply): PolicyReplyHeader => ({
  version: r.version,
  op: r.op,
  ...(r.nonce === undefined ? {} : { nonce: r.nonce }),
});

describe(encodePolicyReply, () => {
  for (const { name, reply, bytes } of golden) {
    it(`encodes ${name}`, () => expect([...encodePolicyReply(reply)]).toEqual(bytes));
  }

  const bad: ReadonlyArray<{ name: string; reply: PolicyReply }> = [
    { name: 'test_reject_encode_v1_with_nonce', reply: { version: 1, op: 1, nonce: 1, status: 0 } },
    { name: 'test_reject_encode_v2_without_nonce', reply: { version: 2, op: 2, status: 0 } },
    { name: 'test_reject_encode_status_5', reply: { version: 1, op: 1, status: 5 as 0 } },
    { name: 'test_reject_encode_op_0x80', reply: { version: 1, op: 0x80, status: 0 } },
    { name: 'test_reject_encode_version_4', reply: { version: 4 as 1, op: 1, status: 0 } },
    { name: 'test_reject_encode_allow_version_without_label', reply: { version: 2, op: 7, nonce: 1, status: 0 } },
    { name: 'test_reject_encode_label_97_bytes', reply: { version: 2, op: 7, nonce: 1, status: 0, label: 'x'.repeat(97) } },
    { name: 'test_reject_encode_label_non_ascii', reply: { version: 2, op: 7, nonce: 1, status: 0, label: 'é' } },
    { name: 'test_reject_encode_label_on_deny', reply: { version: 2, op: 7, nonce: 1, status: 1, label: 'x' } },
    { name: 'test_reject_encode_label_on_route', reply: { version: 2, op: 2, nonce: 1, status: 0, label: 'x' } },
  ];
  for (const { name, reply } of bad) {
    it(name, () => expect(() => encodePolicyReply(reply)).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'BAD_VALUE' })));
  }
});

describe(decodePolicyReply, () => {
  for (const { name, reply, bytes } of golden) {
    it(`decodes ${name}`, () => expect(decodePolicyReply(Uint8Array.from(bytes), header(reply))).toEqual(reply));
  }

  const v2 = { version: 2, op: PO_OP.ROUTE, nonce: 9 } as const;
  const rejects: ReadonlyArray<{ name: string; bytes: Uint8Array; expected: PolicyReplyHeader; code: string }> = [
    { name: 'test_reject_reply_nonce_mismatch', bytes: frame(0x50, 0x4f, 2, 0x82, 8, 0, 0, 0, 0, 0), expected: v2, code: 'MISMATCH' },
    { name: 'test_reject_reply_wrong_op', bytes: frame(0x50, 0x4f, 2, 0x83, 9, 0, 0, 0, 0, 0), expected: v2, code: 'MISMATCH' },
    { name: 'test_reject_reply_op_without_reply_bit', bytes: frame(0x50, 0x4f, 2, 0x02, 9, 0, 0, 0, 0, 0), expected: v2, code: 'MISMATCH' },
    { name: 'test_reject_reply_wrong_version', bytes: frame(0x50, 0x4f, 3, 0x82, 9, 0, 0, 0, 0, 0), expected: v2, code: 'MISMATCH' },
    { name: 'test_reject_reply_bad_magic', bytes: frame(0x4b, 0x53, 2, 0x82, 9, 0, 0, 0, 0, 0), expected: v2, code: 'MALFORMED' },
    { name: 'test_reject_reply_truncated (9 bytes)', bytes: frame(0x50, 0x4f, 2, 0x82, 9, 0, 0, 0, 0), expected: v2, code: 'MALFORMED' },
    { name: 'test_reject_reply_trailing (11 bytes)', bytes: frame(0x50, 0x4f, 2, 0x82, 9, 0, 0, 0, 0, 0, 0), expected: v2, code: 'MALFORMED' },
    { name: 'test_reject_reply_status_5', bytes: frame(0x50, 0x4f, 2, 0x82, 9, 0, 0, 0, 5, 0), expected: v2, code: 'MALFORMED' },
    { name: 'test_reject_reply_reserved_nonzero', bytes: frame(0x50, 0x4f, 2, 0x82, 9, 0, 0, 0, 0, 1), expected: v2, code: 'MALFORMED' },
    {
      name: 'test_reject_reply_v1_5_bytes (the original marker bug)',
      bytes: frame(0x50, 0x4f, 1, 0x81, 1),
      expected: { version: 1, op: 1 },
      code: 'MALFORMED',
    },
    {
      name: 'test_reject_reply_v1_decision_in_nonce_position',
      bytes: frame(0x50, 0x4f, 1, 0x81, 0, 0, 0, 0, 1, 0),
      expected: { version: 1, op: 1 },
      code: 'MALFORMED',
    },
    {
      name: 'test_reject_reply_version_allow_without_label',
      bytes: frame(0x50, 0x4f, 2, 0x87, 1, 0, 0, 0, 0, 0, 0),
      expected: { version: 2, op: 7, nonce: 1 },
      code: 'MALFORMED',
    },
    {
      name: 'test_reject_reply_version_label_control_byte',
      bytes: frame(0x50, 0x4f, 2, 0x87, 1, 0, 0, 0, 0, 0, 1, 0x0a),
      expected: { version: 2, op: 7, nonce: 1 },
      code: 'MALFORMED',
    },
    { name: 'test_reject_reply_513_bytes', bytes: new Uint8Array(513), expected: v2, code: 'TOO_LARGE' },
  ];
  for (const { name, bytes, expected, code } of rejects) {
    it(name, () => expect(() => decodePolicyReply(bytes, expected)).toThrow(expect.objectContaining({ name: 'ProtoError', code: code })));
  }

  it('property: random bytes throw nothing but ProtoError and any result matches what was expected', () => {
    const expected = fc.record({ version: fc.constantFrom(1 as const, 2 as const, 3 as const), op: fc.constantFrom(1, 2, 3, 4, 5, 7) });
    fc.assert(
      fc.property(expected, fc.nat({ max: 3 }), fc.uint8Array({ maxLength: 24 }), (exp, n, tail) => {
        const hdr: PolicyReplyHeader = exp.version === 1 ? exp : { ...exp, nonce: n };
        const bytes = Uint8Array.from([0x50, 0x4f, exp.version, exp.op | 0x80, ...tail]);
        for (const candidate of [bytes, tail]) {
          try {
            const reply = decodePolicyReply(candidate, hdr);
            expect(reply).toMatchObject(hdr);
            expect(Object.values(PO_STATUS)).toContain(reply.status);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtoError);
          }
        }
      }),
    );
  });

  it('property: encode → decode round trip', () => {
    const arb = fc.record({
      version: fc.constantFrom(1 as const, 2 as const, 3 as const),
      op: fc.constantFrom(1, 2, 3, 4, 5),
      nonce: fc.nat({ max: 0xffffffff }),
      status: fc.constantFrom(...Object.values(PO_STATUS)),
    });
    fc.assert(
      fc.property(arb, ({ nonce, ...rest }) => {
        const reply: PolicyReply = rest.version === 1 ? rest : { ...rest, nonce };
        expect(decodePolicyReply(encodePolicyReply(reply), header(reply))).toEqual(reply);
      }),
    );
  });
});
