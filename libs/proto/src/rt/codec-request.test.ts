import { FrameWriter } from '@nexus/ipc';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeRouteReply, decodeRouteRequest, encodeRouteRequest } from './codec.js';
import { RouteStatus, RT_MAX_FRAME } from './wire.js';

const rt = (...bytes: number[]): Uint8Array => Uint8Array.of(0x52, 0x54, ...bytes);
const withName = (nl: number, body: Uint8Array): Uint8Array =>
  new FrameWriter(600).bytes(rt(1, 1)).u8(nl).bytes(body).finish();
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe(decodeRouteRequest, () => {
  const valid = ['logd', 'a', 'demo.testsvc', 'x'.repeat(48), 'init-lite', 'svc_1'];
  for (const name of valid) {
    test(`accepts ${name.length > 10 ? `${name.length}-byte name` : name}`, () => {
      expect(decodeRouteRequest(encodeRouteRequest(name))).toEqual({ ok: true, request: { op: 1, name } });
    });
  }

  const rejects: ReadonlyArray<readonly [string, Uint8Array, RouteStatus]> = [
    ['empty frame', new Uint8Array(0), RouteStatus.MALFORMED],
    ['header only', rt(1, 1), RouteStatus.MALFORMED],
    ['bad magic', Uint8Array.of(0x50, 0x4f, 1, 1, 1, 0x61), RouteStatus.MALFORMED],
    ['version 2', rt(2, 1, 1, 0x61), RouteStatus.UNSUPPORTED],
    ['op 2', rt(1, 2, 1, 0x61), RouteStatus.UNSUPPORTED],
    ['reply op 0x81 as a request', rt(1, 0x81, 1, 0x61), RouteStatus.UNSUPPORTED],
    ['zero-length name', rt(1, 1, 0), RouteStatus.MALFORMED],
    ['name shorter than its length', rt(1, 1, 3, 0x61), RouteStatus.MALFORMED],
    ['trailing byte', rt(1, 1, 1, 0x61, 0x61), RouteStatus.MALFORMED],
    ['uppercase name', withName(4, ascii('Logd')), RouteStatus.MALFORMED],
    ['name with a space', withName(4, ascii('lo d')), RouteStatus.MALFORMED],
    ['non-ASCII name', withName(2, Uint8Array.of(0xc3, 0xa9)), RouteStatus.MALFORMED],
    ['49-byte name', withName(49, ascii('x'.repeat(49))), RouteStatus.TOO_LARGE],
    ['length 255 with 4 bytes', withName(255, ascii('logd')), RouteStatus.TOO_LARGE],
    ['65-byte frame', new Uint8Array(RT_MAX_FRAME + 1), RouteStatus.TOO_LARGE],
    ['512-byte frame', withName(48, new Uint8Array(600 - 5 - 100)), RouteStatus.TOO_LARGE],
  ];
  for (const [input, frame, status] of rejects) {
    test(`test_reject_${input.replaceAll(/\W+/g, '_')}`, () => {
      const res = decodeRouteRequest(frame);
      expect(res).toMatchObject({ ok: false, status });
      if (!res.ok) expect([...res.reply.slice(0, 3), res.reply[4]]).toEqual([0x52, 0x54, 1, status]);
    });
  }

  test('an UNSUPPORTED reply echoes the refused op', () => {
    const res = decodeRouteRequest(rt(1, 7, 1, 0x61));
    expect(res.ok ? undefined : [...res.reply]).toEqual([0x52, 0x54, 1, 0x87, RouteStatus.UNSUPPORTED]);
  });

  test('property: any bytes give a result, and a refusal carries a 5-byte RT reply with its status', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (frame) => {
        const res = decodeRouteRequest(frame);
        if (res.ok) {
          expect(encodeRouteRequest(res.request.name)).toEqual(frame);
        } else if (res.reply[3] === 0x81) {
          expect(decodeRouteReply(res.reply)).toBe(res.status);
        } else {
          expect(res.reply.byteLength).toBe(5);
          expect(res.reply[4]).toBe(res.status);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('property: every canonical name round-trips', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9._-]{1,48}$/), (name) => {
        expect(decodeRouteRequest(encodeRouteRequest(name))).toEqual({ ok: true, request: { op: 1, name } });
      }),
    );
  });
});
