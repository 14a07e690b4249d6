import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogLevel } from './wire.js';
import { LO_MAX_RECORD, decodeLogRecord, encodeLogRecord, type LogRecord } from './record.js';
import { ProtoError } from '../proto-error.js';

const u64 = (n: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const LOGD = 0xce07e8ad70ec4c6fn;

const record: LogRecord = { recordId: 1n, timestampNs: 2n, serviceId: LOGD, level: 1, scope: 'x', msg: 'hi', fields: Uint8Array.of(9) };
const bytes = [...u64(1n), ...u64(2n), ...u64(LOGD), 0x01, 0x01, 0x02, 0x00, 0x01, 0x00, ...ascii('x'), ...ascii('hi'), 0x09];

describe(encodeLogRecord, () => {
  it('encodes record_id, timestamp, service_id, level, lengths, scope, msg, fields', () => {
    expect([...encodeLogRecord(record)]).toEqual(bytes);
  });
  it('a record at every bound is LO_MAX_RECORD bytes', () => {
    const big = { ...record, scope: 's'.repeat(64), msg: 'm'.repeat(256), fields: new Uint8Array(512) };
    expect(encodeLogRecord(big).byteLength).toBe(LO_MAX_RECORD);
  });
  const bad: ReadonlyArray<{ name: string; rec: LogRecord }> = [
    { name: 'test_reject_record_scope_65', rec: { ...record, scope: 's'.repeat(65) } },
    { name: 'test_reject_record_msg_257', rec: { ...record, msg: 'm'.repeat(257) } },
    { name: 'test_reject_record_fields_513', rec: { ...record, fields: new Uint8Array(513) } },
    { name: 'test_reject_record_level_5', rec: { ...record, level: 5 as LogLevel } },
  ];
  for (const { name, rec } of bad) {
    it(name, () => expect(() => encodeLogRecord(rec)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' })));
  }
});

describe(decodeLogRecord, () => {
  it('decodes the golden record', () => expect(decodeLogRecord(Uint8Array.from(bytes))).toEqual(record));
  const bad: ReadonlyArray<{ name: string; b: number[] }> = [
    { name: 'test_reject_record_truncated', b: bytes.slice(0, -1) },
    { name: 'test_reject_record_trailing', b: [...bytes, 0] },
    { name: 'test_reject_record_level_5', b: bytes.map((x, i) => (i === 24 ? 5 : x)) },
    { name: 'test_reject_record_scope_len_65', b: bytes.map((x, i) => (i === 25 ? 65 : x)) },
  ];
  for (const { name, b } of bad) {
    it(name, () => expect(() => decodeLogRecord(Uint8Array.from(b))).toThrow(expect.objectContaining({ code: 'MALFORMED' })));
  }

  it('property: random bytes throw nothing but ProtoError, and a decoded record re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        try {
          expect([...encodeLogRecord(decodeLogRecord(b))]).toEqual([...b]);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtoError);
        }
      }),
    );
  });

  it('property: encode → decode round trip', () => {
    const arb = fc.record({
      recordId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      timestampNs: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      serviceId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      level: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const, 4 as const),
      scope: fc.string({ maxLength: 64, unit: 'grapheme-ascii' }),
      msg: fc.string({ maxLength: 256, unit: 'grapheme-ascii' }),
      fields: fc.uint8Array({ maxLength: 512 }),
    });
    fc.assert(
      fc.property(arb, (rec) => {
        expect(decodeLogRecord(encodeLogRecord(rec))).toEqual(rec);
      }),
    );
  });
});
