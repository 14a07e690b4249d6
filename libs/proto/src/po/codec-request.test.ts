import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePolicyRequest, encodePolicyRequest } from './codec.js';
import { PO_OP, PO_STATUS, type PolicyRequest } from './wire.js';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
const u64 = (n: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const KEYSTORED = 0x866cecf1b02a841bn;
const EXECD = 0x7b6096126000c028n;

/** Golden frames of the reference layout table, written out byte by byte. */
const golden: ReadonlyArray<{ name: string; bytes: number[]; request: PolicyRequest }> = [
  {
    name: 'v1 CHECK keystored',
    bytes: [0x50, 0x4f, 0x01, 0x01, 0x09, ...ascii('keystored')],
    request: { version: 1, op: PO_OP.CHECK, name: 'keystored' },
  },
  {
    name: 'v1 ROUTE bundlemgrd→execd',
    bytes: [0x50, 0x4f, 0x01, 0x02, 0x0a, ...ascii('bundlemgrd'), 0x05, ...ascii('execd')],
    request: { version: 1, op: PO_OP.ROUTE, requester: 'bundlemgrd', target: 'execd' },
  },
  {
    name: 'v1 EXEC execd image 3',
    bytes: [0x50, 0x4f, 0x01, 0x03, 0x05, ...ascii('execd'), 0x03],
    request: { version: 1, op: PO_OP.EXEC, requester: 'execd', imageId: 3 },
  },
  {
    name: 'v1 CHECK_CAP keystored crypto.sign',
    bytes: [0x50, 0x4f, 0x01, 0x04, ...u64(KEYSTORED), 0x0b, ...ascii('crypto.sign')],
    request: { version: 1, op: PO_OP.CHECK_CAP, subjectId: KEYSTORED, cap: 'crypto.sign' },
  },
  {
    name: 'v1 CHECK_CAP_DELEGATED keystored crypto.sign',
    bytes: [0x50, 0x4f, 0x01, 0x05, ...u64(KEYSTORED), 0x0b, ...ascii('crypto.sign')],
    request: { version: 1, op: PO_OP.CHECK_CAP_DELEGATED, subjectId: KEYSTORED, cap: 'crypto.sign' },
  },
  {
    name: 'v2 ROUTE nonce 0x01020304',
    bytes: [0x50, 0x4f, 0x02, 0x02, 0x04, 0x03, 0x02, 0x01, 0x01, ...ascii('a'), 0x01, ...ascii('b')],
    request: { version: 2, op: PO_OP.ROUTE, nonce: 0x01020304, requester: 'a', target: 'b' },
  },
  {
    name: 'v2 EXEC nonce 7',
    bytes: [0x50, 0x4f, 0x02, 0x03, ...u32(7), 0x05, ...ascii('execd'), 0xff],
    request: { version: 2, op: PO_OP.EXEC, nonce: 7, requester: 'execd', imageId: 255 },
  },
  {
    name: 'v2 CHECK_CAP_DELEGATED nonce 0xffffffff',
    bytes: [0x50, 0x4f, 0x02, 0x05, 0xff, 0xff, 0xff, 0xff, ...u64(EXECD), 0x08, ...ascii('ipc.core')],
    request: { version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce: 0xffffffff, subjectId: EXECD, cap: 'ipc.core' },
  },
  {
    name: 'v3 ROUTE (24 bytes)',
    bytes: [0x50, 0x4f, 0x03, 0x02, ...u32(1), ...u64(KEYSTORED), ...u64(EXECD)],
    request: { version: 3, op: PO_OP.ROUTE, nonce: 1, requesterId: KEYSTORED, targetId: EXECD },
  },
  {
    name: 'v3 EXEC (17 bytes)',
    bytes: [0x50, 0x4f, 0x03, 0x03, ...u32(2), ...u64(EXECD), 0x09],
    request: { version: 3, op: PO_OP.EXEC, nonce: 2, requesterId: EXECD, imageId: 9 },
  },
  {
    name: 'v3 CHECK_CAP_DELEGATED bundle.install for keystored',
    bytes: [0x50, 0x4f, 0x03, 0x05, ...u32(3), ...u64(EXECD), ...u64(KEYSTORED), 0x0e, ...ascii('bundle.install')],
    request: { version: 3, op: PO_OP.CHECK_CAP_DELEGATED, nonce: 3, subjectId: EXECD, targetId: KEYSTORED, cap: 'bundle.install' },
  },
  {
    name: 'v2 VERSION (8 bytes)',
    bytes: [0x50, 0x4f, 0x02, 0x07, ...u32(5)],
    request: { version: 2, op: PO_OP.VERSION, nonce: 5 },
  },
];

const frame = (...b: number[]): Uint8Array => Uint8Array.from(b);
const name48 = 'n'.repeat(48);
const name49 = 'n'.repeat(49);

describe(decodePolicyRequest, () => {
  for (const { name, bytes, request } of golden) {
    it(`decodes ${name}`, () => {
      expect(decodePolicyRequest(Uint8Array.from(bytes))).toEqual({ ok: true, request });
    });
    it(`encodes ${name}`, () => {
      expect([...encodePolicyRequest(request)]).toEqual(bytes);
    });
  }

  it('v3 ROUTE is exactly 24 bytes and v3 EXEC exactly 17', () => {
    expect(golden.find((g) => g.name.startsWith('v3 ROUTE'))?.bytes).toHaveLength(24);
    expect(golden.find((g) => g.name.startsWith('v3 EXEC'))?.bytes).toHaveLength(17);
  });

  it('accepts a 48-byte name', () => {
    const res = decodePolicyRequest(frame(0x50, 0x4f, 1, 1, 48, ...ascii(name48)));
    expect(res).toEqual({ ok: true, request: { version: 1, op: 1, name: name48 } });
  });

  const rejects: ReadonlyArray<{ name: string; bytes: Uint8Array; out: Record<string, unknown> }> = [
    { name: 'test_reject_name_0_bytes', bytes: frame(0x50, 0x4f, 1, 1, 0), out: { status: PO_STATUS.MALFORMED, version: 1, op: 1 } },
    {
      name: 'test_reject_name_49_bytes',
      bytes: frame(0x50, 0x4f, 1, 1, 49, ...ascii(name49)),
      out: { status: PO_STATUS.MALFORMED, version: 1, op: 1 },
    },
    {
      name: 'test_reject_cap_49_bytes',
      bytes: frame(0x50, 0x4f, 2, 5, ...u32(3), ...u64(1n), 49, ...ascii(name49)),
      out: { status: PO_STATUS.MALFORMED, version: 2, op: 5, nonce: 3 },
    },
    {
      name: 'test_reject_target_0_bytes',
      bytes: frame(0x50, 0x4f, 1, 2, 1, ...ascii('a'), 0),
      out: { status: PO_STATUS.MALFORMED, version: 1, op: 2 },
    },
    {
      name: 'test_reject_trailing_byte',
      bytes: frame(0x50, 0x4f, 1, 1, 1, ...ascii('a'), 0),
      out: { status: PO_STATUS.MALFORMED, version: 1, op: 1 },
    },
    {
      name: 'test_reject_truncated_name',
      bytes: frame(0x50, 0x4f, 1, 1, 5, ...ascii('abc')),
      out: { status: PO_STATUS.MALFORMED, version: 1, op: 1 },
    },
    {
      name: 'test_reject_truncated_v3_route (23 bytes)',
      bytes: frame(0x50, 0x4f, 3, 2, ...u32(4), ...u64(1n), ...u64(2n).slice(0, 7)),
      out: { status: PO_STATUS.MALFORMED, version: 3, op: 2, nonce: 4 },
    },
    {
      name: 'test_reject_v3_route_trailing (25 bytes)',
      bytes: frame(0x50, 0x4f, 3, 2, ...u32(4), ...u64(1n), ...u64(2n), 0),
      out: { status: PO_STATUS.MALFORMED, version: 3, op: 2, nonce: 4 },
    },
    {
      name: 'test_reject_truncated_nonce',
      bytes: frame(0x50, 0x4f, 2, 2, 1, 2),
      out: { status: PO_STATUS.MALFORMED, version: 2, op: 2 },
    },
    { name: 'test_reject_bad_magic', bytes: frame(0x50, 0x50, 1, 1, 1, 0x61), out: { status: PO_STATUS.MALFORMED } },
    { name: 'test_reject_short_header', bytes: frame(0x50, 0x4f, 1), out: { status: PO_STATUS.MALFORMED } },
    { name: 'test_reject_empty_frame', bytes: frame(), out: { status: PO_STATUS.MALFORMED } },
    { name: 'test_reject_invalid_utf8_name', bytes: frame(0x50, 0x4f, 1, 1, 1, 0xff), out: { status: PO_STATUS.MALFORMED } },
    { name: 'test_reject_unknown_version 4', bytes: frame(0x50, 0x4f, 4, 1), out: { status: PO_STATUS.UNSUPPORTED, version: 4, op: 1 } },
    { name: 'test_reject_unknown_version 0', bytes: frame(0x50, 0x4f, 0, 1), out: { status: PO_STATUS.UNSUPPORTED, version: 0 } },
    { name: 'test_reject_abi_profile_op 6', bytes: frame(0x50, 0x4f, 1, 6), out: { status: PO_STATUS.UNSUPPORTED, op: 6 } },
    { name: 'test_reject_log_probe_op 0x7f', bytes: frame(0x50, 0x4f, 1, 0x7f), out: { status: PO_STATUS.UNSUPPORTED, op: 0x7f } },
    {
      name: 'test_reject_v2_check (v1-only op)',
      bytes: frame(0x50, 0x4f, 2, 1, ...u32(8), 1, 0x61),
      out: { status: PO_STATUS.UNSUPPORTED, version: 2, op: 1, nonce: 8 },
    },
    {
      name: 'test_reject_v3_check_cap_delegated_without_target',
      bytes: frame(0x50, 0x4f, 3, 5, ...u32(8), ...u64(EXECD), 0x08, ...ascii('ipc.core')),
      out: { status: PO_STATUS.MALFORMED, version: 3, op: 5, nonce: 8 },
    },
    {
      name: 'test_reject_v3_check_cap_delegated_cap_49_bytes',
      bytes: frame(0x50, 0x4f, 3, 5, ...u32(8), ...u64(EXECD), ...u64(KEYSTORED), 49, ...ascii(name49)),
      out: { status: PO_STATUS.MALFORMED, version: 3, op: 5, nonce: 8 },
    },
    {
      name: 'test_reject_v3_check_cap_delegated_trailing',
      bytes: frame(0x50, 0x4f, 3, 5, ...u32(8), ...u64(EXECD), ...u64(KEYSTORED), 0x08, ...ascii('ipc.core'), 0),
      out: { status: PO_STATUS.MALFORMED, version: 3, op: 5, nonce: 8 },
    },
    {
      name: 'test_reject_v3_check_cap_delegated_truncated_target',
      bytes: frame(0x50, 0x4f, 3, 5, ...u32(8), ...u64(EXECD), ...u64(KEYSTORED).slice(0, 7)),
      out: { status: PO_STATUS.MALFORMED, version: 3, op: 5, nonce: 8 },
    },
    {
      name: 'test_reject_v3_check_cap_delegated_empty',
      bytes: frame(0x50, 0x4f, 3, 5, ...u32(8)),
      out: { status: PO_STATUS.MALFORMED, version: 3, op: 5, nonce: 8 },
    },
    { name: 'test_reject_v1_version_op', bytes: frame(0x50, 0x4f, 1, 7), out: { status: PO_STATUS.UNSUPPORTED, version: 1, op: 7 } },
    {
      name: 'test_reject_version_trailing',
      bytes: frame(0x50, 0x4f, 2, 7, ...u32(8), 0),
      out: { status: PO_STATUS.MALFORMED, version: 2, op: 7, nonce: 8 },
    },
    { name: 'test_reject_reply_op_as_request', bytes: frame(0x50, 0x4f, 1, 0x81, 0, 0), out: { status: PO_STATUS.UNSUPPORTED } },
  ];
  for (const { name, bytes, out } of rejects) {
    it(name, () => {
      expect(decodePolicyRequest(bytes)).toMatchObject({ ok: false, ...out });
    });
  }

  it('test_reject_oversized_policy_query: 513 bytes is TOO_LARGE before parsing, even with bad magic', () => {
    const big = new Uint8Array(513);
    const res = decodePolicyRequest(big);
    expect(res).toEqual({ ok: false, status: PO_STATUS.TOO_LARGE, reply: frame(0x50, 0x4f, 1, 0x80, 4, 0) });
  });

  it('a 512-byte frame is parsed (and here MALFORMED for its trailing bytes)', () => {
    const bytes = new Uint8Array(512);
    bytes.set([0x50, 0x4f, 1, 1, 1, 0x61]);
    expect(decodePolicyRequest(bytes)).toMatchObject({ ok: false, status: PO_STATUS.MALFORMED });
  });

  const replies: ReadonlyArray<{ name: string; bytes: Uint8Array; reply: number[] }> = [
    { name: 'v1 malformed echoes op', bytes: frame(0x50, 0x4f, 1, 1, 0), reply: [0x50, 0x4f, 1, 0x81, 2, 0] },
    {
      name: 'v2 malformed echoes nonce',
      bytes: frame(0x50, 0x4f, 2, 2, ...u32(0xa1b2c3d4), 0),
      reply: [0x50, 0x4f, 2, 0x82, 0xd4, 0xc3, 0xb2, 0xa1, 2, 0],
    },
    { name: 'v2 truncated nonce replies nonce 0', bytes: frame(0x50, 0x4f, 2, 3, 9), reply: [0x50, 0x4f, 2, 0x83, 0, 0, 0, 0, 2, 0] },
    {
      name: 'v3 unsupported op echoes nonce',
      bytes: frame(0x50, 0x4f, 3, 1, ...u32(6)),
      reply: [0x50, 0x4f, 3, 0x81, 6, 0, 0, 0, 3, 0],
    },
    { name: 'unknown version answers v1', bytes: frame(0x50, 0x4f, 9, 2), reply: [0x50, 0x4f, 1, 0x82, 3, 0] },
    {
      name: 'malformed VERSION carries an empty label',
      bytes: frame(0x50, 0x4f, 2, 7, ...u32(1), 0),
      reply: [0x50, 0x4f, 2, 0x87, 1, 0, 0, 0, 2, 0, 0],
    },
  ];
  for (const { name, bytes, reply } of replies) {
    it(`failure reply: ${name}`, () => {
      const res = decodePolicyRequest(bytes);
      expect(res.ok).toBe(false);
      if (!res.ok) expect([...res.reply]).toEqual(reply);
    });
  }

  it('keeps names exactly as sent (no normalization here)', () => {
    const res = decodePolicyRequest(frame(0x50, 0x4f, 1, 1, 3, ...ascii('Foo')));
    expect(res).toEqual({ ok: true, request: { version: 1, op: 1, name: 'Foo' } });
  });

  it('property: random bytes never throw and the result is well-formed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const res = decodePolicyRequest(bytes);
        if (res.ok) {
          expect([...encodePolicyRequest(res.request)]).toEqual([...bytes]);
        } else {
          expect([PO_STATUS.MALFORMED, PO_STATUS.UNSUPPORTED, PO_STATUS.TOO_LARGE]).toContain(res.status);
          expect(res.reply.byteLength === 6 || res.reply.byteLength === 10 || res.reply.byteLength === 11).toBe(true);
        }
      }),
    );
  });

  it('property: random PO-headed frames never throw', () => {
    const header = fc.tuple(fc.constantFrom(1, 2, 3), fc.constantFrom(1, 2, 3, 4, 5, 7));
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 120 }), ([v, op], body) => {
        const res = decodePolicyRequest(Uint8Array.from([0x50, 0x4f, v, op, ...body]));
        if (res.ok) expect([...encodePolicyRequest(res.request)]).toEqual([0x50, 0x4f, v, op, ...body]);
      }),
    );
  });
});

/** Arbitrary valid PO requests, for the round-trip property. */
const arbPolicyRequest: fc.Arbitrary<PolicyRequest> = (() => {
  // Valid names are already in the normalized policy alphabet, so they round-trip unchanged.
  const name = fc.string({ minLength: 1, maxLength: 48, unit: fc.constantFrom(...'abcxyz019._*@-') });
  const nonce = fc.nat({ max: 0xffffffff });
  const id = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
  const image = fc.nat({ max: 255 });
  return fc.oneof(
    fc.record({ version: fc.constant(1 as const), op: fc.constant(1 as const), name }),
    fc.record({ version: fc.constant(1 as const), op: fc.constant(2 as const), requester: name, target: name }),
    fc.record({ version: fc.constant(2 as const), op: fc.constant(2 as const), nonce, requester: name, target: name }),
    fc.record({ version: fc.constant(3 as const), op: fc.constant(2 as const), nonce, requesterId: id, targetId: id }),
    fc.record({ version: fc.constant(1 as const), op: fc.constant(3 as const), requester: name, imageId: image }),
    fc.record({ version: fc.constant(2 as const), op: fc.constant(3 as const), nonce, requester: name, imageId: image }),
    fc.record({ version: fc.constant(3 as const), op: fc.constant(3 as const), nonce, requesterId: id, imageId: image }),
    fc.record({ version: fc.constant(1 as const), op: fc.constant(4 as const), subjectId: id, cap: name }),
    fc.record({ version: fc.constant(1 as const), op: fc.constant(5 as const), subjectId: id, cap: name }),
    fc.record({ version: fc.constant(2 as const), op: fc.constant(5 as const), nonce, subjectId: id, cap: name }),
    fc.record({ version: fc.constant(3 as const), op: fc.constant(5 as const), nonce, subjectId: id, targetId: id, cap: name }),
    fc.record({ version: fc.constant(2 as const), op: fc.constant(7 as const), nonce }),
  );
})();

describe('names in PO frames (the policy alphabet)', () => {
  const cases: readonly [label: string, request: PolicyRequest, expected: PolicyRequest | 'MALFORMED'][] = [
    ['a v2 ROUTE target "EXECD " is normalized to execd', { version: 2, op: 2, nonce: 1, requester: 'init-lite', target: 'EXECD ' }, { version: 2, op: 2, nonce: 1, requester: 'init-lite', target: 'execd' }],
    ['a capability "AUDIT.READ" is normalized', { version: 2, op: 5, nonce: 1, subjectId: 1n, cap: 'AUDIT.READ' }, { version: 2, op: 5, nonce: 1, subjectId: 1n, cap: 'audit.read' }],
    ['a claimed requester keeps its spelling (hashed as sent)', { version: 2, op: 2, nonce: 1, requester: 'InitLite', target: 'logd' }, { version: 2, op: 2, nonce: 1, requester: 'InitLite', target: 'logd' }],
    ['test_reject_escape_in_capability', { version: 2, op: 5, nonce: 1, subjectId: 1n, cap: 'x\u001b[1A\u001b[2K' }, 'MALFORMED'],
    ['test_reject_newline_in_target', { version: 1, op: 2, requester: 'a', target: 'logd\nforged' }, 'MALFORMED'],
    ['test_reject_control_in_requester', { version: 1, op: 3, requester: 'ex\u0007cd', imageId: 1 }, 'MALFORMED'],
    ['test_reject_space_inside_capability', { version: 1, op: 4, subjectId: 1n, cap: 'a b' }, 'MALFORMED'],
    ['test_reject_blank_capability', { version: 1, op: 4, subjectId: 1n, cap: '   ' }, 'MALFORMED'],
  ];
  it.each(cases)('%s', (_label, request, expected) => {
    const result = decodePolicyRequest(encodePolicyRequest(request));
    if (expected === 'MALFORMED') expect(result).toMatchObject({ ok: false, status: PO_STATUS.MALFORMED });
    else expect(result).toEqual({ ok: true, request: expected });
  });

  it('property: any ASCII name decodes to its normalized form or is MALFORMED, never a control byte', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 48, unit: 'grapheme-ascii' }), (cap) => {
        const result = decodePolicyRequest(encodePolicyRequest({ version: 1, op: 4, subjectId: 1n, cap }));
        if (!result.ok) return;
        const decoded = (result.request as { cap: string }).cap;
        expect(decoded).toMatch(/^[a-z0-9._*@-]+$/);
        expect(decoded).toBe(cap.trim().toLowerCase());
      }),
    );
  });
});

describe(encodePolicyRequest, () => {
  it('property: encode → decode round trip for random valid requests', () => {
    fc.assert(
      fc.property(arbPolicyRequest, (request) => {
        expect(decodePolicyRequest(encodePolicyRequest(request))).toEqual({ ok: true, request });
      }),
    );
  });

  const bad: ReadonlyArray<{ name: string; request: PolicyRequest }> = [
    { name: 'test_reject_encode_name_0_bytes', request: { version: 1, op: 1, name: '' } },
    { name: 'test_reject_encode_name_49_bytes', request: { version: 1, op: 1, name: name49 } },
    { name: 'test_reject_encode_cap_49_bytes', request: { version: 1, op: 4, subjectId: 1n, cap: name49 } },
    { name: 'test_reject_encode_image_256', request: { version: 1, op: 3, requester: 'a', imageId: 256 } },
    { name: 'test_reject_encode_nonce_2^32', request: { version: 2, op: 7, nonce: 2 ** 32 } },
    { name: 'test_reject_encode_negative_id', request: { version: 3, op: 2, nonce: 1, requesterId: -1n, targetId: 1n } },
    { name: 'test_reject_encode_multibyte_49', request: { version: 1, op: 1, name: 'é'.repeat(25) } },
  ];
  for (const { name, request } of bad) {
    it(name, () => {
      expect(() => encodePolicyRequest(request)).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'BAD_VALUE' }));
    });
  }
});
