import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, codeOf } from '../test-support/error-code.js';
import { FrameReader } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';
import { IpcError } from './ipc-error.js';


describe(FrameReader, () => {
  const reads: ReadonlyArray<{ name: string; frame: Uint8Array; read: (r: FrameReader) => unknown; out: unknown }> = [
    { name: 'u8 0xff', frame: bytes(0xff), read: (r) => r.u8(), out: 0xff },
    { name: 'u16 little-endian', frame: bytes(0x34, 0x12), read: (r) => r.u16(), out: 0x1234 },
    { name: 'u32 little-endian', frame: bytes(0x78, 0x56, 0x34, 0x12), read: (r) => r.u32(), out: 0x12345678 },
    { name: 'u64 max', frame: new Uint8Array(8).fill(0xff), read: (r) => r.u64(), out: 0xffffffffffffffffn },
    { name: 'bytes(2)', frame: bytes(1, 2), read: (r) => r.bytes(2), out: bytes(1, 2) },
    { name: 'rest after u8', frame: bytes(9, 1, 2), read: (r) => (r.u8(), r.rest()), out: bytes(1, 2) },
    { name: 'str8 "PO"', frame: bytes(2, 0x50, 0x4f), read: (r) => r.str8(48), out: 'PO' },
    { name: 'str16 "é"', frame: bytes(2, 0, 0xc3, 0xa9), read: (r) => r.str16(4), out: 'é' },
    { name: 'bytes8 empty', frame: bytes(0), read: (r) => r.bytes8(0), out: bytes() },
    { name: 'bytes16 one', frame: bytes(1, 0, 7), read: (r) => r.bytes16(1), out: bytes(7) },
    { name: 'bytes32 two', frame: bytes(2, 0, 0, 0, 7, 8), read: (r) => r.bytes32(2), out: bytes(7, 8) },
  ];
  for (const { name, frame, read, out } of reads) {
    it(name, () => {
      const r = new FrameReader(frame);
      expect(read(r)).toEqual(out);
      r.end();
    });
  }

  const rejects: ReadonlyArray<{ name: string; frame: Uint8Array; read: (r: FrameReader) => unknown; code: string }> = [
    { name: 'test_reject_u8_on_empty', frame: bytes(), read: (r) => r.u8(), code: 'FRAME_TRUNCATED' },
    { name: 'test_reject_u16_on_one_byte', frame: bytes(1), read: (r) => r.u16(), code: 'FRAME_TRUNCATED' },
    { name: 'test_reject_u32_on_three_bytes', frame: bytes(1, 2, 3), read: (r) => r.u32(), code: 'FRAME_TRUNCATED' },
    { name: 'test_reject_u64_on_seven_bytes', frame: new Uint8Array(7), read: (r) => r.u64(), code: 'FRAME_TRUNCATED' },
    { name: 'test_reject_bytes_past_end', frame: bytes(1), read: (r) => r.bytes(2), code: 'FRAME_TRUNCATED' },
    { name: 'test_reject_bytes_negative', frame: bytes(1), read: (r) => r.bytes(-1), code: 'FRAME_TRUNCATED' },
    { name: 'test_reject_bytes_fractional', frame: bytes(1, 2), read: (r) => r.bytes(1.5), code: 'FRAME_TRUNCATED' },
    { name: 'test_reject_str8_over_max', frame: bytes(3, 0x61, 0x61, 0x61), read: (r) => r.str8(2), code: 'FRAME_VALUE' },
    { name: 'test_reject_str8_prefix_past_end', frame: bytes(5, 0x61), read: (r) => r.str8(), code: 'FRAME_TRUNCATED' },
    { name: 'test_reject_str16_over_max', frame: bytes(3, 0, 1, 2, 3), read: (r) => r.str16(2), code: 'FRAME_VALUE' },
    { name: 'test_reject_bytes8_over_max', frame: bytes(1, 0), read: (r) => r.bytes8(0), code: 'FRAME_VALUE' },
    { name: 'test_reject_bytes16_over_max', frame: bytes(2, 0, 1, 2), read: (r) => r.bytes16(1), code: 'FRAME_VALUE' },
    { name: 'test_reject_bytes32_over_max', frame: bytes(0, 0, 0x10, 0), read: (r) => r.bytes32(1024), code: 'FRAME_VALUE' },
    { name: 'test_reject_invalid_utf8', frame: bytes(1, 0xff), read: (r) => r.str8(), code: 'FRAME_VALUE' },
    { name: 'test_reject_overlong_utf8', frame: bytes(2, 0xc0, 0xaf), read: (r) => r.str8(), code: 'FRAME_VALUE' },
    { name: 'test_reject_trailing_bytes', frame: bytes(1, 2), read: (r) => (r.u8(), r.end()), code: 'FRAME_TRAILING' },
  ];
  for (const { name, frame, read, code } of rejects) {
    it(name, () => {
      expect(codeOf(() => read(new FrameReader(frame)))).toBe(code);
    });
  }

  it('bytes() is a copy: mutating the frame later changes nothing', () => {
    const frame = bytes(1, 2);
    const got = new FrameReader(frame).bytes(2);
    frame[0] = 9;
    expect(got).toEqual(bytes(1, 2));
  });

  it('reads a subarray relative to its own offset', () => {
    const outer = bytes(0xaa, 0x34, 0x12, 0xbb);
    const r = new FrameReader(outer.subarray(1, 3));
    expect(r.u16()).toBe(0x1234);
    expect(r.remaining).toBe(0);
    expect(codeOf(() => r.u8())).toBe('FRAME_TRUNCATED');
  });

  it('a failed read does not consume bytes', () => {
    const r = new FrameReader(bytes(1, 2, 3));
    expect(codeOf(() => r.u32())).toBe('FRAME_TRUNCATED');
    expect(r.offset).toBe(0);
    expect(r.remaining).toBe(3);
  });

  type Op = (r: FrameReader) => unknown;
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constant<Op>((r) => r.u8()),
    fc.constant<Op>((r) => r.u16()),
    fc.constant<Op>((r) => r.u32()),
    fc.constant<Op>((r) => r.u64()),
    fc.constant<Op>((r) => r.rest()),
    fc.constant<Op>((r) => r.end()),
    fc.integer({ min: -2, max: 300 }).map<Op>((n) => (r) => r.bytes(n)),
    fc.integer({ min: -2, max: 300 }).map<Op>((n) => (r) => r.utf8(n)),
    fc.integer({ min: 0, max: 300 }).map<Op>((n) => (r) => r.str8(n)),
    fc.integer({ min: 0, max: 70000 }).map<Op>((n) => (r) => r.str16(n)),
    fc.integer({ min: 0, max: 300 }).map<Op>((n) => (r) => r.bytes8(n)),
    fc.integer({ min: 0, max: 70000 }).map<Op>((n) => (r) => r.bytes16(n)),
    fc.integer({ min: 0, max: 1 << 20 }).map<Op>((n) => (r) => r.bytes32(n)),
  );

  it('random bytes and random read sequences throw nothing but IpcError and never over-read', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), fc.array(op, { maxLength: 12 }), (frame, ops) => {
        const r = new FrameReader(frame);
        for (const read of ops) {
          try {
            read(r);
          } catch (error) {
            if (!(error instanceof IpcError)) throw error;
          }
          expect(r.offset + r.remaining).toBe(frame.byteLength);
          expect(r.remaining).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('writer → reader round trip for every field kind', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
        fc.string({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 300 }),
        (a, b, c, d, s, raw) => {
          const frame = new FrameWriter(1024).u8(a).u16(b).u32(c).u64(d).str8(s).str16(s).bytes16(raw).bytes32(raw, 300).finish();
          const r = new FrameReader(frame);
          expect([r.u8(), r.u16(), r.u32(), r.u64(), r.str8(), r.str16(), r.bytes16(), r.bytes32(300)]).toEqual([a, b, c, d, s, s, raw, raw]);
          r.end();
        },
      ),
    );
  });
  it('integers equal the DataView little-endian decoding (incl. the u32 sign bit)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 14, maxLength: 14 }), (frame) => {
        const ref = new DataView(frame.buffer);
        const r = new FrameReader(frame);
        expect([r.u16(), r.u32(), r.u64()]).toEqual([ref.getUint16(0, true), ref.getUint32(2, true), ref.getBigUint64(6, true)]);
      }),
    );
  });

  it('utf8(n) equals a fatal TextDecoder on any bytes, ASCII or not', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const byte = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xff }));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 80 }).map((b) => Uint8Array.from(b)), (frame) => {
        let expected: string;
        try {
          expected = fatal.decode(frame);
        } catch {
          expected = 'FRAME_VALUE';
        }
        const r = new FrameReader(frame);
        let got: string;
        try {
          got = r.utf8(frame.byteLength);
        } catch (error) {
          got = error instanceof IpcError ? error.code : 'not an IpcError';
        }
        expect(got).toBe(expected);
        if (got !== 'FRAME_VALUE') expect(r.remaining).toBe(0);
      }),
    );
  });

  const texts: ReadonlyArray<{ name: string; frame: Uint8Array; out: string }> = [
    { name: 'ascii with DEL', frame: bytes(0x61, 0x7f), out: 'a\x7f' },
    { name: 'ascii then 2-byte', frame: bytes(0x61, 0xc3, 0xa9), out: 'aé' },
    { name: 'BOM is stripped as before', frame: bytes(0xef, 0xbb, 0xbf, 0x61), out: 'a' },
  ];
  for (const { name, frame, out } of texts) {
    it(`utf8 ${name}`, () => {
      expect(new FrameReader(frame).utf8(frame.byteLength)).toBe(out);
    });
  }

  it('test_reject_utf8_past_end', () => {
    const r = new FrameReader(bytes(0x61));
    expect(() => r.utf8(2)).toThrow(IpcError);
    expect(r.offset).toBe(0);
  });
});
