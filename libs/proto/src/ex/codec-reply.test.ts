import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeExecReply, encodeExecReply } from './codec.js';
import { ProtoError, type ProtoErrorCode } from '../proto-error.js';
import { ExecStatus, type ExecReply } from './wire.js';

const reply = (op: number, status: number, id = 0): number[] => [0x45, 0x58, 1, op, status, id, 0, 0, 0, 0, 0, 0, 0];

describe(decodeExecReply, () => {
  const valid: readonly ExecReply[] = [
    { status: ExecStatus.OK, taskId: 0xd5ddfde85dbf9fa6n },
    ...Object.values(ExecStatus)
      .filter((s) => s !== ExecStatus.OK)
      .map((status) => ({ status, taskId: 0n })),
  ];
  for (const r of valid) {
    test(`round-trips status ${r.status}`, () => {
      expect(decodeExecReply(encodeExecReply(r))).toEqual(r);
    });
  }

  const rejects: ReadonlyArray<readonly [string, number[], ProtoErrorCode]> = [
    ['empty', [], 'MALFORMED'],
    ['5-byte header without a task id', [0x45, 0x58, 1, 0x81, 5], 'MALFORMED'],
    ['trailing byte', [...reply(0x81, 5), 0], 'MALFORMED'],
    ['bad magic', [0x52, 0x54, ...reply(0x81, 5).slice(2)], 'MALFORMED'],
    ['unknown status 7', reply(0x81, 7), 'MALFORMED'],
    ['OK without a task id', reply(0x81, 0), 'MALFORMED'],
    ['DENY with a task id', reply(0x81, 5, 9), 'MALFORMED'],
    ['version 2', [0x45, 0x58, 2, ...reply(0x81, 5).slice(3)], 'UNSUPPORTED'],
    ['reply to op 2', reply(0x82, 5), 'MISMATCH'],
    ['request op echoed back', reply(0x01, 5), 'MISMATCH'],
  ];
  for (const [input, bytes, code] of rejects) {
    test(`test_reject_${input.replaceAll(/\W+/g, '_')}`, () => {
      expect(() => decodeExecReply(Uint8Array.from(bytes))).toThrow(expect.objectContaining({ code }));
    });
  }

  test('property: any bytes decode to a consistent reply or throw ProtoError, nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 20 }),
          fc.tuple(fc.nat(8), fc.nat(3)).map(([s, id]) => Uint8Array.from(reply(0x81, s, id))),
        ),
        (frame) => {
          try {
            const r = decodeExecReply(frame);
            expect(r.status === ExecStatus.OK).toBe(r.taskId !== 0n);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtoError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe(encodeExecReply, () => {
  const bad: ReadonlyArray<readonly [string, ExecReply]> = [
    ['unknown status', { status: 9 as ExecStatus, taskId: 0n }],
    ['OK without a task', { status: ExecStatus.OK, taskId: 0n }],
    ['DENY naming a task', { status: ExecStatus.DENY, taskId: 1n }],
    ['task id over u64', { status: ExecStatus.OK, taskId: 1n << 64n }],
  ];
  for (const [input, r] of bad) {
    test(`test_reject_${input.replaceAll(/\W+/g, '_')}`, () => {
      expect(() => encodeExecReply(r)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    });
  }
});
