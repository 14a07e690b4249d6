import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameWriter } from './frame-writer.js';
import { IpcError } from './ipc-error.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof IpcError) return error.code;
    throw error;
  }
  return 'ok';
}

describe(FrameWriter, () => {
  const writes: ReadonlyArray<{ name: string; write: (w: FrameWriter) => FrameWriter; out: Uint8Array }> = [
    { name: 'u8 0x80', write: (w) => w.u8(0x80), out: bytes(0x80) },
    { name: 'u16 0x1234', write: (w) => w.u16(0x1234), out: bytes(0x34, 0x12) },
    { name: 'u32 0x12345678', write: (w) => w.u32(0x12345678), out: bytes(0x78, 0x56, 0x34, 0x12) },
    { name: 'u64 0x0102', write: (w) => w.u64(0x0102n), out: bytes(2, 1, 0, 0, 0, 0, 0, 0) },
    { name: 'bytes [7,8]', write: (w) => w.bytes(bytes(7, 8)), out: bytes(7, 8) },
    { name: 'str8 "PO"', write: (w) => w.str8('PO', 48), out: bytes(2, 0x50, 0x4f) },
    { name: 'str16 "é"', write: (w) => w.str16('é'), out: bytes(2, 0, 0xc3, 0xa9) },
    { name: 'bytes8 empty', write: (w) => w.bytes8(bytes()), out: bytes(0) },
    { name: 'bytes32 [1]', write: (w) => w.bytes32(bytes(1), 4), out: bytes(1, 0, 0, 0, 1) },
  ];
  for (const { name, write, out } of writes) {
    it(name, () => {
      const w = write(new FrameWriter(16));
      expect(w.finish()).toEqual(out);
      expect(w.length).toBe(out.byteLength);
    });
  }

  const rejects: ReadonlyArray<{ name: string; capacity: number; write: (w: FrameWriter) => unknown; code: string }> = [
    { name: 'test_reject_negative_capacity', capacity: -1, write: () => undefined, code: 'FRAME_VALUE' },
    { name: 'test_reject_fractional_capacity', capacity: 1.5, write: () => undefined, code: 'FRAME_VALUE' },
    { name: 'test_reject_write_past_capacity', capacity: 1, write: (w) => w.u16(1), code: 'FRAME_OVERFLOW' },
    { name: 'test_reject_bytes_past_capacity', capacity: 2, write: (w) => w.bytes(bytes(1, 2, 3)), code: 'FRAME_OVERFLOW' },
    { name: 'test_reject_u8_256', capacity: 8, write: (w) => w.u8(256), code: 'FRAME_VALUE' },
    { name: 'test_reject_u8_negative', capacity: 8, write: (w) => w.u8(-1), code: 'FRAME_VALUE' },
    { name: 'test_reject_u16_65536', capacity: 8, write: (w) => w.u16(0x10000), code: 'FRAME_VALUE' },
    { name: 'test_reject_u32_2_pow_32', capacity: 8, write: (w) => w.u32(2 ** 32), code: 'FRAME_VALUE' },
    { name: 'test_reject_u32_fractional', capacity: 8, write: (w) => w.u32(1.5), code: 'FRAME_VALUE' },
    { name: 'test_reject_u64_2_pow_64', capacity: 8, write: (w) => w.u64(2n ** 64n), code: 'FRAME_VALUE' },
    { name: 'test_reject_u64_negative', capacity: 8, write: (w) => w.u64(-1n), code: 'FRAME_VALUE' },
    { name: 'test_reject_str8_over_max', capacity: 64, write: (w) => w.str8('abc', 2), code: 'FRAME_VALUE' },
    { name: 'test_reject_str8_256_bytes', capacity: 512, write: (w) => w.str8('a'.repeat(256)), code: 'FRAME_VALUE' },
    { name: 'test_reject_bytes16_over_max', capacity: 64, write: (w) => w.bytes16(bytes(1, 2), 1), code: 'FRAME_VALUE' },
    { name: 'test_reject_bytes32_over_max', capacity: 64, write: (w) => w.bytes32(bytes(1, 2), 1), code: 'FRAME_VALUE' },
  ];
  for (const { name, capacity, write, code } of rejects) {
    it(name, () => {
      expect(codeOf(() => write(new FrameWriter(capacity)))).toBe(code);
    });
  }

  it('a rejected write leaves the frame unchanged', () => {
    const w = new FrameWriter(3).u8(1);
    expect(codeOf(() => w.u32(5))).toBe('FRAME_OVERFLOW');
    expect(w.finish()).toEqual(bytes(1));
  });

  it('finish() is a copy', () => {
    const w = new FrameWriter(2).u8(1);
    const first = w.finish();
    w.u8(2);
    expect(first).toEqual(bytes(1));
  });

  it('random write sequences throw nothing but IpcError and never exceed capacity', () => {
    type Op = (w: FrameWriter) => unknown;
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.integer({ min: -5, max: 0x1_0000_0005 }).map<Op>((n) => (w) => w.u32(n)),
      fc.integer({ min: -5, max: 300 }).map<Op>((n) => (w) => w.u8(n)),
      fc.bigInt({ min: -5n, max: 2n ** 64n + 5n }).map<Op>((n) => (w) => w.u64(n)),
      fc.string({ maxLength: 300 }).map<Op>((s) => (w) => w.str8(s, 40)),
      fc.uint8Array({ maxLength: 80 }).map<Op>((b) => (w) => w.bytes16(b, 60)),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 128 }), fc.array(op, { maxLength: 10 }), (capacity, ops) => {
        const w = new FrameWriter(capacity);
        for (const write of ops) {
          try {
            write(w);
          } catch (error) {
            if (!(error instanceof IpcError)) throw error;
          }
          expect(w.length).toBeLessThanOrEqual(capacity);
        }
        expect(w.finish().byteLength).toBe(w.length);
      }),
    );
  });
});
