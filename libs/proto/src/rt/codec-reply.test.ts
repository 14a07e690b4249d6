import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeRouteReply, encodeRouteReply } from './codec.js';
import { ProtoError, type ProtoErrorCode } from '../proto-error.js';
import { RouteStatus } from './wire.js';

describe(decodeRouteReply, () => {
  for (const status of Object.values(RouteStatus)) {
    test(`round-trips status ${status}`, () => {
      expect(decodeRouteReply(encodeRouteReply(status))).toBe(status);
    });
  }

  const rejects: ReadonlyArray<readonly [string, number[], ProtoErrorCode]> = [
    ['empty', [], 'MALFORMED'],
    ['4 bytes', [0x52, 0x54, 1, 0x81], 'MALFORMED'],
    ['trailing byte', [0x52, 0x54, 1, 0x81, 0, 0], 'MALFORMED'],
    ['PO magic', [0x50, 0x4f, 1, 0x81, 0], 'MALFORMED'],
    ['unknown status 6', [0x52, 0x54, 1, 0x81, 6], 'MALFORMED'],
    ['version 2', [0x52, 0x54, 2, 0x81, 0], 'UNSUPPORTED'],
    ['request op 1', [0x52, 0x54, 1, 0x01, 0], 'MISMATCH'],
    ['reply to op 2', [0x52, 0x54, 1, 0x82, 0], 'MISMATCH'],
  ];
  for (const [input, bytes, code] of rejects) {
    test(`test_reject_${input.replaceAll(/\W+/g, '_')}`, () => {
      expect(() => decodeRouteReply(Uint8Array.from(bytes))).toThrow(expect.objectContaining({ code }));
    });
  }

  test('property: any bytes decode to a status or throw ProtoError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (frame) => {
        try {
          expect(Object.values(RouteStatus)).toContain(decodeRouteReply(frame));
        } catch (e) {
          expect(e).toBeInstanceOf(ProtoError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe(encodeRouteReply, () => {
  test('test_reject_unknown_status', () => {
    expect(() => encodeRouteReply(9 as RouteStatus)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
  });
});
