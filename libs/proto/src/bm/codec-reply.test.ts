import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BM_OP, BundleStatus, type BundleReply } from './wire.js';
import { ProtoError } from '../proto-error.js';
import { decodeBundleReply, encodeBundleFailure, encodeBundleReply } from './codec.js';

const bm = (...bytes: number[]): Uint8Array => Uint8Array.of(0x42, 0x4d, 1, ...bytes);

describe(decodeBundleReply, () => {
  const golden: readonly [string, number[], BundleReply][] = [
    ['INSTALL OK image 1', [0x81, 0, 1], { op: 1, status: BundleStatus.OK, imageId: 1 }],
    ['INSTALL DENY', [0x81, 5, 0], { op: 1, status: BundleStatus.DENY, imageId: 0 }],
    ['QUERY OK 1.0.0', [0x82, 0, 7, 5, 0x31, 0x2e, 0x30, 0x2e, 0x30], { op: 2, status: BundleStatus.OK, imageId: 7, version: '1.0.0' }],
    ['QUERY NOT_FOUND', [0x82, 1, 0, 0], { op: 2, status: BundleStatus.NOT_FOUND, imageId: 0, version: '' }],
    ['LIST empty', [0x83, 0, 0], { op: 3, status: BundleStatus.OK, bundles: [] }],
    [
      'LIST one row',
      [0x83, 0, 1, 2, 1, 0x61, 5, 0x31, 0x2e, 0x32, 0x2e, 0x33],
      { op: 3, status: BundleStatus.OK, bundles: [{ imageId: 2, name: 'a', version: '1.2.3' }] },
    ],
  ];
  for (const [name, bytes, reply] of golden) {
    test(name, () => {
      expect(decodeBundleReply(bm(...bytes), reply.op)).toEqual(reply);
      expect(encodeBundleReply(reply)).toEqual(bm(...bytes));
    });
  }

  const rejects: readonly [string, Uint8Array, 1 | 2 | 3, string][] = [
    ['a reply to another op', bm(0x82, 1, 0, 0), BM_OP.INSTALL, 'MISMATCH'],
    ['a request echoed back', bm(0x01, 0, 1), BM_OP.INSTALL, 'MISMATCH'],
    ['version 2', Uint8Array.of(0x42, 0x4d, 2, 0x81, 0, 1), BM_OP.INSTALL, 'MISMATCH'],
    ['bad magic', Uint8Array.of(0x42, 0x4e, 1, 0x81, 0, 1), BM_OP.INSTALL, 'MALFORMED'],
    ['OK with image id 0', bm(0x81, 0, 0), BM_OP.INSTALL, 'MALFORMED'],
    ['DENY with image id 3', bm(0x81, 5, 3), BM_OP.INSTALL, 'MALFORMED'],
    ['unknown status 10', bm(0x81, 10, 0), BM_OP.INSTALL, 'MALFORMED'],
    ['a trailing byte', bm(0x81, 0, 1, 0), BM_OP.INSTALL, 'MALFORMED'],
    ['QUERY NOT_FOUND with a version', bm(0x82, 1, 0, 1, 0x31), BM_OP.QUERY, 'MALFORMED'],
    ['QUERY OK with a non-semver version', bm(0x82, 0, 1, 1, 0x31), BM_OP.QUERY, 'MALFORMED'],
    ['LIST DENY with rows', bm(0x83, 5, 1, 2, 1, 0x61, 5, 0x31, 0x2e, 0x32, 0x2e, 0x33), BM_OP.LIST, 'MALFORMED'],
    ['LIST row with image id 0', bm(0x83, 0, 1, 0, 1, 0x61, 5, 0x31, 0x2e, 0x32, 0x2e, 0x33), BM_OP.LIST, 'MALFORMED'],
    ['LIST count over the rows', bm(0x83, 0, 2), BM_OP.LIST, 'MALFORMED'],
    ['a reply over 4096 bytes', new Uint8Array(4097), BM_OP.LIST, 'TOO_LARGE'],
  ];
  for (const [name, frame, op, code] of rejects) {
    test(`test_reject_bm_reply: ${name}`, () => {
      expect(() => decodeBundleReply(frame, op)).toThrow(expect.objectContaining({ name: 'ProtoError', code }));
    });
  }

  test('fuzz: random bytes either decode to a reply of the asked op or throw only ProtoError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.uint8Array({ maxLength: 64 }), (op, body) => {
        for (const frame of [body, bm(op | 0x80, ...body)]) {
          try {
            expect(decodeBundleReply(frame, op as 1 | 2 | 3).op).toBe(op);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtoError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe(encodeBundleFailure, () => {
  for (const [op, bytes] of [
    [BM_OP.INSTALL, [0x81, 5, 0]],
    [BM_OP.QUERY, [0x82, 5, 0, 0]],
    [BM_OP.LIST, [0x83, 5, 0]],
    [0x7f, [0xff, 5]],
    [0x83, [0x83, 5, 0]],
  ] as const) {
    test(`op ${op}`, () => {
      expect(encodeBundleFailure(op, BundleStatus.DENY)).toEqual(bm(...bytes));
    });
  }
});

describe(encodeBundleReply, () => {
  for (const [name, reply] of [
    ['OK with image id 0', { op: 1, status: BundleStatus.OK, imageId: 0 }],
    ['image id 256', { op: 1, status: BundleStatus.OK, imageId: 256 }],
    ['QUERY DENY with a version', { op: 2, status: BundleStatus.DENY, imageId: 0, version: '1.0.0' }],
    ['status 42', { op: 1, status: 42, imageId: 0 }],
  ] as const) {
    test(`test_reject_encode: ${name}`, () => {
      expect(() => encodeBundleReply(reply as BundleReply)).toThrow(ProtoError);
    });
  }
});
