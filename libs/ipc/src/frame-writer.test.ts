import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, codeOf } from '../test-support/error-code.js';
import { FrameWriter } from './frame-writer.js';
import { IpcError } from './ipc-error.js';


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
  const encoder = new TextEncoder();
  const strings: ReadonlyArray<{ name: string; value: string }> = [
    { name: 'ascii "keystored"', value: 'keystored' },
    { name: 'empty', value: '' },
    { name: 'DEL 0x7f', value: '\x7f' },
    { name: 'first non-ASCII 0x80', value: 'a\x80' },
    { name: 'non-ASCII last "abcé"', value: 'abcé' },
    { name: 'astral "a😀"', value: 'a😀' },
    { name: 'lone high surrogate', value: 'ab\ud800' },
    { name: 'lone low surrogate', value: '\udc00z' },
  ];
  for (const { name, value } of strings) {
    it(`str8/str16 ${name} equals the UTF-8 encoding`, () => {
      const utf8 = encoder.encode(value);
      expect(new FrameWriter(16).str8(value).finish()).toEqual(bytes(utf8.byteLength, ...utf8));
      expect(new FrameWriter(16).str16(value).finish()).toEqual(bytes(utf8.byteLength, 0, ...utf8));
    });
  }

  const stringRejects: ReadonlyArray<{ name: string; write: (w: FrameWriter) => unknown; code: string }> = [
    { name: 'test_reject_str8_ascii_over_max', write: (w) => w.str8('abcd', 3), code: 'FRAME_VALUE' },
    { name: 'test_reject_str8_utf8_over_max', write: (w) => w.str8('abé', 3), code: 'FRAME_VALUE' },
    { name: 'test_reject_str8_ascii_past_capacity', write: (w) => w.str8('abcdefgh'), code: 'FRAME_OVERFLOW' },
    { name: 'test_reject_str16_ascii_past_capacity', write: (w) => w.str16('abcdefg'), code: 'FRAME_OVERFLOW' },
    { name: 'test_reject_str16_over_max', write: (w) => w.str16('ab', 1), code: 'FRAME_VALUE' },
  ];
  for (const { name, write, code } of stringRejects) {
    it(name, () => {
      const w = new FrameWriter(8);
      expect(codeOf(() => write(w))).toBe(code);
      expect(w.length).toBeLessThanOrEqual(8);
    });
  }

  it('a string that does not fit leaves no length prefix behind', () => {
    const w = new FrameWriter(4).u8(9);
    expect(codeOf(() => w.str8('abcd'))).toBe('FRAME_OVERFLOW');
    expect(w.str8('ab').finish()).toEqual(bytes(9, 2, 0x61, 0x62));
  });

  it('str8/str16 of any string equal a length prefix plus TextEncoder bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 40 })), fc.integer({ min: 0, max: 80 }), (s, max) => {
        const utf8 = encoder.encode(s);
        const expected8 = utf8.byteLength <= max ? bytes(utf8.byteLength, ...utf8) : 'FRAME_VALUE';
        let got8: Uint8Array | string = 'ok';
        const w8 = new FrameWriter(256);
        got8 = codeOf(() => w8.str8(s, max));
        expect(got8 === 'ok' ? w8.finish() : got8).toEqual(expected8);
        const w16 = new FrameWriter(256);
        const got16 = codeOf(() => w16.str16(s, max));
        expect(got16 === 'ok' ? w16.finish() : got16).toEqual(
          utf8.byteLength <= max ? bytes(utf8.byteLength, 0, ...utf8) : 'FRAME_VALUE',
        );
      }),
    );
  });

  it('integers equal the DataView little-endian encoding', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (a, b, c) => {
        const ref = new DataView(new ArrayBuffer(14));
        ref.setUint16(0, a, true);
        ref.setUint32(2, b >>> 0, true);
        ref.setBigUint64(6, c, true);
        expect(new FrameWriter(14).u16(a).u32(b >>> 0).u64(c).finish()).toEqual(new Uint8Array(ref.buffer));
      }),
    );
  });

  it('bytes() copies short and long inputs alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        expect(new FrameWriter(40).bytes(b).finish()).toEqual(b);
      }),
    );
  });

  it('test_reject_u64_number_is_not_written', () => {
    const w = new FrameWriter(8);
    // A number is not a u64 value: refused with the package's typed error, nothing written.
    expect(() => w.u64(5 as unknown as bigint)).toThrow(expect.objectContaining({ code: 'FRAME_VALUE' }));
    expect(() => w.u64(5 as unknown as bigint)).toThrow(IpcError);
    expect(w.length).toBe(0);
  });

  it.each([
    ['a symbol', Symbol('x')],
    ['an object whose toString throws', { toString: (): string => { throw new Error('no'); } }],
  ])('test_reject_u64_%s_is_FRAME_VALUE', (_name, value) => {
    const w = new FrameWriter(8);
    expect(() => w.u64(value as unknown as bigint)).toThrow(expect.objectContaining({ code: 'FRAME_VALUE' }));
    expect(w.length).toBe(0);
  });

  it('test_reject_bytes_of_a_non_uint8array_never_passes_the_bound', () => {
    // From untyped code: an ArrayBuffer has no length, so its size reads as NaN.
    const w = new FrameWriter(4);
    expect(() => w.bytes(new ArrayBuffer(3) as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'FRAME_OVERFLOW' }));
    for (let i = 0; i < 4; i++) w.u8(1);
    expect(() => w.u8(1)).toThrow(expect.objectContaining({ code: 'FRAME_OVERFLOW' }));
    expect(w.finish()).toEqual(new Uint8Array([1, 1, 1, 1]));
  });

  describe('reset', () => {
    it('starts a new frame in the same buffer without touching a finished one', () => {
      const w = new FrameWriter(4).u16(0x0201);
      const first = w.finish();
      expect(w.reset().length).toBe(0);
      expect(w.u8(9).finish()).toEqual(bytes(9));
      expect(first).toEqual(bytes(1, 2));
    });

    it('test_reject_past_capacity_after_reset', () => {
      const w = new FrameWriter(2).u16(1).reset();
      expect(codeOf(() => w.u32(1))).toBe('FRAME_OVERFLOW');
    });
  });

  describe('view', () => {
    it('shows exactly the bytes written, without a copy', () => {
      const w = new FrameWriter(8).u8(1).u8(2);
      const v = w.view();
      expect(v).toEqual(bytes(1, 2));
      w.reset().u8(7);
      expect(v[0]).toBe(7);
    });
  });

  it('any write sequence equals the concatenation of its fields, across buffer growth', () => {
    type Field = { write: (w: FrameWriter) => unknown; out: number[] };
    const le = (value: bigint, n: number): number[] => Array.from({ length: n }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
    const field: fc.Arbitrary<Field> = fc.oneof(
      fc.integer({ min: 0, max: 0xff }).map((n) => ({ write: (w: FrameWriter) => w.u8(n), out: [n] })),
      fc.integer({ min: 0, max: 0xffff }).map((n) => ({ write: (w: FrameWriter) => w.u16(n), out: le(BigInt(n), 2) })),
      fc.nat().map((n) => ({ write: (w: FrameWriter) => w.u32(n), out: le(BigInt(n), 4) })),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => ({ write: (w: FrameWriter) => w.u64(n), out: le(n, 8) })),
      fc.uint8Array({ maxLength: 40 }).map((b) => ({ write: (w: FrameWriter) => w.bytes8(b), out: [b.byteLength, ...b] })),
      fc.string({ maxLength: 30 }).map((s) => {
        const utf8 = encoder.encode(s);
        return { write: (w: FrameWriter) => w.str16(s), out: [utf8.byteLength & 0xff, utf8.byteLength >> 8, ...utf8] };
      }),
    );
    fc.assert(
      fc.property(fc.array(field, { maxLength: 30 }), (fields) => {
        const w = new FrameWriter(2048);
        for (const f of fields) f.write(w);
        expect([...w.finish()]).toEqual(fields.flatMap((f) => f.out));
      }),
    );
  });
});
