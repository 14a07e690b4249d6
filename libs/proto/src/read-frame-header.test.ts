import { FrameWriter } from '@nexus/ipc';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { readFrameHeader, type FrameHeaderSpec } from './read-frame-header.js';

const spec: FrameHeaderSpec = { magic: Uint8Array.of(0x45, 0x58), version: 1, maxFrame: 8, minFrame: 5 };
const frame = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

describe(readFrameHeader, () => {
  test('a good header: op returned, reader positioned after it', () => {
    const h = readFrameHeader(frame(0x45, 0x58, 1, 7, 0xaa, 0xbb), spec);
    if (!h.ok) throw new Error('refused');
    expect(h.op).toBe(7);
    expect(h.reader.remaining).toBe(2);
    expect(h.reader.u8()).toBe(0xaa);
  });

  test('minFrame defaults to the 4-byte header alone', () => {
    expect(readFrameHeader(frame(0x45, 0x58, 1, 2), { magic: spec.magic, version: 1, maxFrame: 4 })).toMatchObject({ ok: true, op: 2 });
    expect(readFrameHeader(frame(0x45, 0x58, 1), { magic: spec.magic, version: 1, maxFrame: 4 })).toEqual({ ok: false, problem: 'MALFORMED' });
  });

  const refused: ReadonlyArray<readonly [string, Uint8Array, object]> = [
    ['test_reject_over_maxFrame (before parsing, even with bad magic)', new Uint8Array(9), { ok: false, problem: 'TOO_LARGE' }],
    ['test_reject_under_minFrame', frame(0x45, 0x58, 1, 1), { ok: false, problem: 'MALFORMED' }],
    ['test_reject_empty', frame(), { ok: false, problem: 'MALFORMED' }],
    ['test_reject_bad_magic', frame(0x45, 0x59, 1, 1, 0), { ok: false, problem: 'MALFORMED' }],
    ['test_reject_other_version (op and version echoed)', frame(0x45, 0x58, 2, 9, 0), { ok: false, problem: 'UNSUPPORTED', version: 2, op: 9 }],
  ];
  for (const [name, bytes, out] of refused) {
    test(name, () => {
      expect(readFrameHeader(bytes, spec)).toEqual(out);
    });
  }

  test('never throws, and accepts exactly the frames with the bounds, magic and version', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.boolean(), (tail, withHeader) => {
        const bytes = withHeader ? new FrameWriter(16).bytes(spec.magic).u8(1).bytes(tail).finish() : tail;
        const h = readFrameHeader(bytes, spec);
        const expected = bytes.byteLength <= 8 && bytes.byteLength >= 5 && bytes[0] === 0x45 && bytes[1] === 0x58 && bytes[2] === 1;
        expect(h.ok).toBe(expected);
        if (h.ok) expect(h.op).toBe(bytes[3]);
      }),
    );
  });
});
