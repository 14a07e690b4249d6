import { FrameWriter } from '@nexus/ipc';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeExecReply, decodeExecRequest, encodeExecRequest } from './codec.js';
import { EX_MAX_FRAME, ExecStatus } from './wire.js';

const ex = (...bytes: number[]): Uint8Array => Uint8Array.of(0x45, 0x58, ...bytes);
const withName = (nl: number, body: Uint8Array): Uint8Array =>
  new FrameWriter(600).bytes(ex(1, 1)).u8(nl).bytes(body).finish();
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe(decodeExecRequest, () => {
  for (const name of ['demo.testsvc', 'a', 'x'.repeat(48), 'svc-1_b']) {
    test(`accepts ${name.length > 12 ? `${name.length}-byte name` : name}`, () => {
      expect(decodeExecRequest(encodeExecRequest(name))).toEqual({ ok: true, request: { op: 1, name } });
    });
  }

  const rejects: ReadonlyArray<readonly [string, Uint8Array, ExecStatus]> = [
    ['empty frame', new Uint8Array(0), ExecStatus.MALFORMED],
    ['header only', ex(1, 1), ExecStatus.MALFORMED],
    ['RT magic', Uint8Array.of(0x52, 0x54, 1, 1, 1, 0x61), ExecStatus.MALFORMED],
    ['version 0', ex(0, 1, 1, 0x61), ExecStatus.UNSUPPORTED],
    ['op 2', ex(1, 2, 1, 0x61), ExecStatus.UNSUPPORTED],
    ['zero-length name', ex(1, 1, 0), ExecStatus.MALFORMED],
    ['name shorter than its length', ex(1, 1, 5, 0x61), ExecStatus.MALFORMED],
    ['trailing byte', ex(1, 1, 1, 0x61, 0x61), ExecStatus.MALFORMED],
    ['uppercase name', withName(4, ascii('Demo')), ExecStatus.MALFORMED],
    ['name with a slash', withName(6, ascii('../bin')), ExecStatus.MALFORMED],
    ['non-ASCII name', withName(2, Uint8Array.of(0xc3, 0xa9)), ExecStatus.MALFORMED],
    ['49-byte name', withName(49, ascii('x'.repeat(49))), ExecStatus.TOO_LARGE],
    ['length 200 with 4 bytes', withName(200, ascii('demo')), ExecStatus.TOO_LARGE],
    ['65-byte frame', new Uint8Array(EX_MAX_FRAME + 1), ExecStatus.TOO_LARGE],
  ];
  for (const [input, frame, status] of rejects) {
    test(`test_reject_${input.replaceAll(/\W+/g, '_')}`, () => {
      const res = decodeExecRequest(frame);
      expect(res).toMatchObject({ ok: false, status });
      if (!res.ok) expect([...res.reply.slice(0, 3), res.reply[4]]).toEqual([0x45, 0x58, 1, status]);
    });
  }

  test('an UNSUPPORTED reply echoes the refused op', () => {
    const res = decodeExecRequest(ex(1, 9, 1, 0x61));
    expect(res.ok ? undefined : res.reply[3]).toBe(0x89);
  });

  test('property: any bytes give a result, and a refusal carries a 13-byte EX reply with its status and no task', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (frame) => {
        const res = decodeExecRequest(frame);
        if (res.ok) {
          expect(encodeExecRequest(res.request.name)).toEqual(frame);
        } else if (res.reply[3] === 0x81) {
          expect(decodeExecReply(res.reply)).toEqual({ status: res.status, taskId: 0n });
        } else {
          expect(res.reply.byteLength).toBe(13);
          expect(res.reply[4]).toBe(res.status);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('property: every canonical name round-trips', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9._-]{1,48}$/), (name) => {
        expect(decodeExecRequest(encodeExecRequest(name))).toEqual({ ok: true, request: { op: 1, name } });
      }),
    );
  });
});
