import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLogReply, encodeLogReply } from './codec.js';
import { LO_MAX_REPLY, type LogReply, type LogReplyInput, type LogStats } from './wire.js';
import { ProtoError } from '../proto-error.js';

const u64 = (n: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const frame = (...b: number[]): Uint8Array => Uint8Array.from(b);

const STATS: LogStats = {
  general: { total: 10n, dropped: 2n, highWater: 8, count: 7, bytes: 700 },
  audit: { total: 5n, dropped: 0n, highWater: 5, count: 5, bytes: 300 },
  rejectedForged: 1n,
  suppressed: 6n,
};

describe(encodeLogReply, () => {
  it('stops before LO_MAX_REPLY and sets next_cursor to the first record left out', () => {
    const entries = Array.from({ length: 10 }, (_, i) => ({ cursor: BigInt(100 + i), bytes: new Uint8Array(500).fill(i) }));
    const bytes = encodeLogReply({ version: 2, nonce: 1n, op: 2, status: 0, entries, nextCursor: 0n });
    expect(bytes.byteLength).toBeLessThanOrEqual(LO_MAX_REPLY);
    const reply = decodeLogReply(bytes, { version: 2, op: 2, nonce: 1n });
    expect(reply).toMatchObject({ op: 2, nextCursor: 108n });
    if (reply.op === 2) expect(reply.records.map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('fills exactly to 4096 bytes when the records fit', () => {
    const room = LO_MAX_REPLY - (4 + 8 + 1 + 2 + 8) - 2;
    const bytes = encodeLogReply({ version: 2, nonce: 1n, op: 2, status: 0, entries: [{ cursor: 1n, bytes: new Uint8Array(room) }], nextCursor: 0n });
    expect(bytes.byteLength).toBe(LO_MAX_REPLY);
  });

  it('keeps the caller nextCursor when every record fits', () => {
    const bytes = encodeLogReply({ version: 1, op: 2, status: 0, entries: [{ cursor: 1n, bytes: frame(1) }], nextCursor: 42n });
    expect(decodeLogReply(bytes, { version: 1, op: 2 })).toMatchObject({ nextCursor: 42n });
  });

  const bad: ReadonlyArray<{ name: string; reply: LogReplyInput }> = [
    { name: 'test_reject_encode_record_that_can_never_fit', reply: { version: 1, op: 2, status: 0, entries: [{ cursor: 1n, bytes: new Uint8Array(4096) }] } },
    { name: 'test_reject_encode_empty_record', reply: { version: 1, op: 2, status: 0, entries: [{ cursor: 1n, bytes: frame() }] } },
    {
      name: 'test_reject_encode_cursor_0_when_paging',
      reply: { version: 1, op: 2, status: 0, entries: [1, 2].map(() => ({ cursor: 0n, bytes: new Uint8Array(2500) })) },
    },
    { name: 'test_reject_encode_records_on_denied', reply: { version: 1, op: 2, status: 4, entries: [{ cursor: 1n, bytes: frame(1) }] } },
    { name: 'test_reject_encode_record_id_on_denied', reply: { version: 1, op: 1, status: 4, recordId: 1n, dropped: 0n } },
    { name: 'test_reject_encode_stats_on_malformed', reply: { version: 1, op: 3, status: 1, stats: STATS } },
    { name: 'test_reject_encode_status_6', reply: { version: 1, op: 1, status: 6 as 0, recordId: 0n, dropped: 0n } },
    { name: 'test_reject_encode_v2_without_nonce', reply: { version: 2, op: 1, status: 0, recordId: 0n, dropped: 0n } },
    { name: 'test_reject_encode_block_ok_storing_nothing', reply: { version: 2, nonce: 1n, op: 4, status: 0, stored: 0, firstId: 0n, dropped: 0n } },
    { name: 'test_reject_encode_block_stored_65', reply: { version: 2, nonce: 1n, op: 4, status: 0, stored: 65, firstId: 1n, dropped: 0n } },
    { name: 'test_reject_encode_block_first_id_without_record', reply: { version: 2, nonce: 1n, op: 4, status: 5, stored: 0, firstId: 1n, dropped: 0n } },
    { name: 'test_reject_encode_high_water_2^32', reply: { version: 1, op: 3, status: 0, stats: { ...STATS, audit: { ...STATS.audit, highWater: 2 ** 32 } } } },
  ];
  for (const { name, reply } of bad) {
    it(name, () => expect(() => encodeLogReply(reply)).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'BAD_VALUE' })));
  }
});

describe(decodeLogReply, () => {
  const q = { version: 2, op: 2, nonce: 1n } as const;
  const qHead = [0x4c, 0x4f, 0x02, 0x82, ...u64(1n)];
  const rejects: ReadonlyArray<{ name: string; bytes: Uint8Array; code: string }> = [
    { name: 'test_reject_reply_nonce_mismatch', bytes: frame(0x4c, 0x4f, 2, 0x82, ...u64(2n), 0, 0, 0, ...u64(0n)), code: 'MISMATCH' },
    { name: 'test_reject_reply_wrong_op', bytes: frame(0x4c, 0x4f, 2, 0x83, ...u64(1n), 0, 0, 0, ...u64(0n)), code: 'MISMATCH' },
    { name: 'test_reject_reply_wrong_version', bytes: frame(0x4c, 0x4f, 1, 0x82, 0, 0, 0, ...u64(0n)), code: 'MISMATCH' },
    { name: 'test_reject_reply_bad_magic', bytes: frame(0x4b, 0x53, 2, 0x82, ...u64(1n), 0, 0, 0, ...u64(0n)), code: 'MALFORMED' },
    { name: 'test_reject_reply_status_6', bytes: frame(...qHead, 6, 0, 0, ...u64(0n)), code: 'MALFORMED' },
    { name: 'test_reject_reply_count_beyond_records', bytes: frame(...qHead, 0, 2, 0, ...u64(0n), 1, 0, 0xaa), code: 'MALFORMED' },
    { name: 'test_reject_reply_trailing_byte', bytes: frame(...qHead, 0, 1, 0, ...u64(0n), 1, 0, 0xaa, 0), code: 'MALFORMED' },
    { name: 'test_reject_reply_empty_record', bytes: frame(...qHead, 0, 1, 0, ...u64(0n), 0, 0), code: 'MALFORMED' },
    { name: 'test_reject_reply_records_on_denied', bytes: frame(...qHead, 4, 1, 0, ...u64(0n), 1, 0, 0xaa), code: 'MALFORMED' },
    { name: 'test_reject_reply_truncated_header', bytes: frame(...qHead, 0, 0), code: 'MALFORMED' },
    { name: 'test_reject_reply_4097_bytes', bytes: new Uint8Array(4097), code: 'TOO_LARGE' },
  ];
  for (const { name, bytes, code } of rejects) {
    it(name, () => expect(() => decodeLogReply(bytes, q)).toThrow(expect.objectContaining({ name: 'ProtoError', code: code })));
  }

  const b = { version: 2, op: 4, nonce: 1n } as const;
  const bHead = [0x4c, 0x4f, 0x02, 0x84, ...u64(1n)];
  const blockRejects: ReadonlyArray<{ name: string; bytes: Uint8Array }> = [
    { name: 'test_reject_reply_block_ok_storing_nothing', bytes: frame(...bHead, 0, 0, 0, ...u64(0n), ...u64(0n)) },
    { name: 'test_reject_reply_block_stored_65', bytes: frame(...bHead, 0, 65, 0, ...u64(1n), ...u64(0n)) },
    { name: 'test_reject_reply_block_first_id_without_record', bytes: frame(...bHead, 5, 0, 0, ...u64(1n), ...u64(0n)) },
    { name: 'test_reject_reply_block_truncated', bytes: frame(...bHead, 0, 1, 0, ...u64(1n)) },
  ];
  for (const { name, bytes } of blockRejects) {
    it(name, () => expect(() => decodeLogReply(bytes, b)).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'MALFORMED' })));
  }

  it('property: APPEND_BLOCK reply encode → decode round trip', () => {
    const body = fc
      .record({ status: fc.constantFrom(0 as const, 1 as const, 4 as const, 5 as const), stored: fc.integer({ min: 0, max: 64 }), firstId: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }), dropped: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) })
      .filter((r) => r.status !== 0 || r.stored > 0)
      .map((r) => ({ ...r, firstId: r.stored === 0 ? 0n : r.firstId }));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), body, (nonce, r) => {
        const reply: LogReply = { version: 2, nonce, op: 4, ...r };
        expect(decodeLogReply(encodeLogReply(reply), { version: 2, op: 4, nonce })).toEqual(reply);
      }),
    );
  });

  it('test_reject_reply_append_id_on_denied', () => {
    expect(() => decodeLogReply(frame(0x4c, 0x4f, 1, 0x81, 4, ...u64(1n), ...u64(0n)), { version: 1, op: 1 })).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'MALFORMED' }));
  });

  it('property: random bytes throw nothing but ProtoError; a result answers what was expected', () => {
    const exp = fc.record({ version: fc.constantFrom(1 as const, 2 as const), op: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const) });
    fc.assert(
      fc.property(exp, fc.uint8Array({ maxLength: 120 }), ({ version, op }, tail) => {
        const hdr = version === 1 ? { version, op } : { version, op, nonce: 0n };
        for (const bytes of [tail, Uint8Array.from([0x4c, 0x4f, version, op | 0x80, ...(version === 2 ? u64(0n) : []), ...tail])]) {
          try {
            expect(decodeLogReply(bytes, hdr)).toMatchObject(hdr);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtoError);
          }
        }
      }),
    );
  });

  it('property: QUERY encode → decode keeps records in order, never over 4096 bytes', () => {
    const entries = fc.array(fc.uint8Array({ minLength: 1, maxLength: 900 }), { maxLength: 12 });
    fc.assert(
      fc.property(entries, (records) => {
        const bytes = encodeLogReply({ version: 2, nonce: 5n, op: 2, status: 0, entries: records.map((b, i) => ({ cursor: BigInt(i + 1), bytes: b })) });
        expect(bytes.byteLength).toBeLessThanOrEqual(LO_MAX_REPLY);
        const reply = decodeLogReply(bytes, { version: 2, op: 2, nonce: 5n });
        if (reply.op !== 2) throw new Error('expected a QUERY reply');
        expect(reply.records).toEqual(records.slice(0, reply.records.length));
        expect(reply.nextCursor).toBe(reply.records.length === records.length ? 0n : BigInt(reply.records.length + 1));
      }),
    );
  });
});
