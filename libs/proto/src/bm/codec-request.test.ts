import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BM_OP, BundleStatus, type BundleRequest } from './wire.js';
import { decodeBundleReply, decodeBundleRequest, encodeBundleRequest } from './codec.js';

const bm = (...bytes: number[]): Uint8Array => Uint8Array.of(0x42, 0x4d, ...bytes);
const sig = new Array<number>(64).fill(7);

describe(decodeBundleRequest, () => {
  const golden: readonly [string, Uint8Array, BundleRequest][] = [
    ['LIST', bm(1, 3), { op: BM_OP.LIST }],
    ['QUERY "a"', bm(1, 2, 1, 0x61), { op: BM_OP.QUERY, name: 'a' }],
    ['INSTALL of 1 byte', bm(1, 1, 1, 0, 0x78, ...sig), { op: BM_OP.INSTALL, manifest: Uint8Array.of(0x78), signature: Uint8Array.from(sig) }],
  ];
  for (const [name, frame, request] of golden) {
    test(name, () => {
      expect(decodeBundleRequest(frame)).toEqual({ ok: true, request });
      expect(encodeBundleRequest(request)).toEqual(frame);
    });
  }

  const rejects: readonly [string, Uint8Array, number, number[]][] = [
    ['an empty frame', new Uint8Array(0), BundleStatus.MALFORMED, [0x42, 0x4d, 1, 0x80, 2]],
    ['bad magic', Uint8Array.of(0x42, 0x4e, 1, 3), BundleStatus.MALFORMED, [0x42, 0x4d, 1, 0x80, 2]],
    ['version 2', bm(2, 3), BundleStatus.UNSUPPORTED, [0x42, 0x4d, 1, 0x83, 4, 0]],
    ['unknown op 4', bm(1, 4), BundleStatus.UNSUPPORTED, [0x42, 0x4d, 1, 0x84, 4]],
    ['LIST with a trailing byte', bm(1, 3, 0), BundleStatus.MALFORMED, [0x42, 0x4d, 1, 0x83, 2, 0]],
    ['QUERY with an empty name', bm(1, 2, 0), BundleStatus.MALFORMED, [0x42, 0x4d, 1, 0x82, 2, 0, 0]],
    ['QUERY with a 49-byte name', bm(1, 2, 49, ...new Array<number>(49).fill(0x61)), BundleStatus.TOO_LARGE, [0x42, 0x4d, 1, 0x82, 3, 0, 0]],
    ['QUERY with an uppercase name', bm(1, 2, 1, 0x41), BundleStatus.MALFORMED, [0x42, 0x4d, 1, 0x82, 2, 0, 0]],
    ['QUERY truncated', bm(1, 2, 5, 0x61), BundleStatus.MALFORMED, [0x42, 0x4d, 1, 0x82, 2, 0, 0]],
    ['INSTALL with ml 4097', bm(1, 1, 0x01, 0x10), BundleStatus.TOO_LARGE, [0x42, 0x4d, 1, 0x81, 3, 0]],
    ['INSTALL with an empty manifest', bm(1, 1, 0, 0, ...sig), BundleStatus.MALFORMED, [0x42, 0x4d, 1, 0x81, 2, 0]],
    ['INSTALL with a short signature', bm(1, 1, 1, 0, 0x78, ...sig.slice(1)), BundleStatus.MALFORMED, [0x42, 0x4d, 1, 0x81, 2, 0]],
    ['INSTALL with invalid UTF-8', bm(1, 1, 1, 0, 0xff, ...sig), BundleStatus.MALFORMED, [0x42, 0x4d, 1, 0x81, 2, 0]],
    ['a frame over 8192 bytes', new Uint8Array(8193), BundleStatus.TOO_LARGE, [0x42, 0x4d, 1, 0x80, 3]],
  ];
  for (const [name, frame, status, reply] of rejects) {
    test(`test_reject_bm_request: ${name}`, () => {
      expect(decodeBundleRequest(frame)).toEqual({ ok: false, status, reply: Uint8Array.from(reply) });
    });
  }

  test('fuzz: never throws; a refusal carries MALFORMED / TOO_LARGE / UNSUPPORTED and a well-formed reply for known ops', () => {
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.integer({ min: 0, max: 6 }), fc.uint8Array({ maxLength: 200 })).map(([op, body]) => bm(1, op, ...body)),
    );
    fc.assert(
      fc.property(frames, (frame) => {
        const res = decodeBundleRequest(frame);
        if (res.ok) {
          expect(encodeBundleRequest(res.request)).toEqual(frame);
          return;
        }
        expect([BundleStatus.MALFORMED, BundleStatus.TOO_LARGE, BundleStatus.UNSUPPORTED]).toContain(res.status);
        const op = res.reply[3]! & 0x7f;
        if (op >= 1 && op <= 3) expect(decodeBundleReply(res.reply, op as 1 | 2 | 3).status).toBe(res.status);
      }),
      { numRuns: 2000 },
    );
  });

  test('property: every encodable request decodes to itself', () => {
    const request: fc.Arbitrary<BundleRequest> = fc.oneof(
      fc.constant({ op: BM_OP.LIST }),
      fc.stringMatching(/^[a-z0-9._-]{1,48}$/).map((name) => ({ op: BM_OP.QUERY, name })),
      fc
        .tuple(fc.string({ minLength: 1, maxLength: 1000 }), fc.uint8Array({ minLength: 64, maxLength: 64 }))
        .map(([text, signature]) => ({ op: BM_OP.INSTALL, manifest: new TextEncoder().encode(text), signature })),
    );
    fc.assert(
      fc.property(request, (req) => {
        expect(decodeBundleRequest(encodeBundleRequest(req))).toEqual({ ok: true, request: req });
      }),
    );
  });
});
