import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeSegmentHeader, encodeFrame, encodeSegmentHeader, readFrame, SEGMENT_FORMAT } from './segment-format.js';

const header = encodeSegmentHeader({ journal: 'audit', segmentNo: 7, firstId: 1234n });

describe(decodeSegmentHeader, () => {
  test('round trip', () => {
    expect(decodeSegmentHeader(header)).toEqual({ kind: 'header', header: { version: 1, journal: 'audit', segmentNo: 7, firstId: 1234n } });
  });

  const future = Uint8Array.from(header);
  future[8] = 2;
  const badCrc = Uint8Array.from(header);
  badCrc[20] = (badCrc[20] ?? 0) ^ 1;
  const foreign = Uint8Array.from(header);
  foreign[0] = 0x7f;
  test.each([
    { name: 'test_reject_future_version', bytes: future, kind: 'future' },
    { name: 'test_reject_version_0', bytes: Uint8Array.from(header).fill(0, 8, 10), kind: 'future' },
    { name: 'test_reject_bad_header_checksum', bytes: badCrc, kind: 'corrupt' },
    { name: 'test_reject_foreign_magic', bytes: foreign, kind: 'foreign' },
    { name: 'test_reject_foreign_short_file', bytes: Uint8Array.of(0x50, 0x4b, 3, 4), kind: 'foreign' },
    { name: 'a cut header is short, not foreign', bytes: header.subarray(0, 13), kind: 'short' },
    { name: 'an empty file is short', bytes: new Uint8Array(0), kind: 'short' },
  ])('$name', ({ bytes, kind }) => {
    expect(decodeSegmentHeader(bytes).kind).toBe(kind);
  });

  test('never throws on any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(['header', 'short', 'foreign', 'future', 'corrupt']).toContain(decodeSegmentHeader(bytes).kind);
    }));
  });
});

describe(readFrame, () => {
  const body = Uint8Array.from({ length: 40 }, (_, i) => i);
  const frame = encodeFrame(9n, 77n, body);

  test('round trip', () => {
    const step = readFrame(frame, 0);
    expect(step).toMatchObject({ kind: 'frame', id: 9n, timestampNs: 77n, end: frame.byteLength });
    expect(step.kind === 'frame' && [...step.body]).toEqual([...body]);
    expect(readFrame(frame, frame.byteLength)).toEqual({ kind: 'end' });
  });

  test('every cut of a frame is incomplete', () => {
    for (let cut = 1; cut < frame.byteLength; cut++) expect(readFrame(frame.subarray(0, cut), 0).kind).toBe('incomplete');
  });

  test('every flipped byte is detected', () => {
    for (let i = 0; i < frame.byteLength; i++) {
      const bad = Uint8Array.from(frame);
      bad[i] = (bad[i] ?? 0) ^ 0x10;
      expect(readFrame(bad, 0).kind, `byte ${i}`).not.toBe('frame');
    }
  });

  test.each([
    { name: 'test_reject_length_below_prefix', length: 15, zeros: false },
    { name: 'test_reject_length_over_bound', length: SEGMENT_FORMAT.payloadPrefixBytes + SEGMENT_FORMAT.maxBodyBytes + 1, zeros: false },
    { name: 'zero-filled space is bad-length with zeros', length: 0, zeros: true },
  ])('$name', ({ length, zeros }) => {
    const bytes = new Uint8Array(64);
    new DataView(bytes.buffer).setUint32(0, length, true);
    if (!zeros) bytes[10] = 1;
    expect(readFrame(bytes, 0)).toEqual({ kind: 'bad-length', zeros });
  });

  test('test_reject_oversized_body on encode', () => {
    expect(() => encodeFrame(1n, 1n, new Uint8Array(SEGMENT_FORMAT.maxBodyBytes + 1))).toThrow(RangeError);
  });

  test('decoder property: never throws, a frame always lies inside the bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (bytes, at) => {
      const offset = Math.min(at, bytes.byteLength);
      const step = readFrame(bytes, offset);
      if (step.kind === 'frame' || step.kind === 'bad-checksum') expect(step.end).toBeLessThanOrEqual(bytes.byteLength);
    }));
  });

  test('property: encode then read returns the same id, time and body', () => {
    fc.assert(fc.property(fc.bigUint64Array({ minLength: 2, maxLength: 2 }), fc.uint8Array({ maxLength: 300 }), ([id, ts], b) => {
      const step = readFrame(encodeFrame(id ?? 0n, ts ?? 0n, b), 0);
      expect(step.kind).toBe('frame');
      if (step.kind === 'frame') expect([step.id, step.timestampNs, [...step.body]]).toEqual([id, ts, [...b]]);
    }));
  });
});
