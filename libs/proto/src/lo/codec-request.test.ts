import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLogRequest, encodeLogRequest } from './codec.js';
import { LO_ANY, LO_MAX_BLOCK_FRAME, LO_MAX_BLOCK_RECORDS, LO_MAX_FRAME, LO_STATUS, type LogRequest } from './wire.js';

const u64 = (n: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const frame = (...b: number[]): Uint8Array => Uint8Array.from(b);
const none = new Uint8Array(0);

/** A v2 APPEND_BLOCK frame of `sizes.length` records of those sizes, bytes 0x61. */
function blockFrame(sizes: readonly number[], count = sizes.length): Uint8Array {
  const body = sizes.flatMap((n) => [n & 0xff, n >> 8, ...new Array<number>(n).fill(0x61)]);
  return frame(0x4c, 0x4f, 2, 4, ...u64(5n), count & 0xff, count >> 8, ...body);
}
const blockFailure = (status: number): number[] => [0x4c, 0x4f, 2, 0x84, ...u64(5n), status, 0, 0, ...u64(0n), ...u64(0n)];
const fullBlock = (): number[] => new Array<number>(LO_MAX_BLOCK_RECORDS).fill(512);

function appendFrame(sl: number, ml: number, fl: number, level = 2): Uint8Array {
  return frame(0x4c, 0x4f, 1, 1, level, sl, ml & 0xff, ml >> 8, fl & 0xff, fl >> 8, ...new Array<number>(sl + ml + fl).fill(0x61));
}

const filterBytes = (journal: number, from: bigint, to: bigint, decision: number, max: number): number[] => [
  journal,
  ...u64(from),
  ...u64(to),
  ...u64(0n),
  decision,
  0xff,
  ...u64(0n),
  max & 0xff,
  max >> 8,
];

describe(decodeLogRequest, () => {
  it('accepts scope 64, msg 256, fields 512 (v2 APPEND at LO_MAX_FRAME exactly)', () => {
    const v1 = appendFrame(64, 256, 512);
    const v2 = frame(0x4c, 0x4f, 2, 1, ...u64(1n), ...v1.slice(4));
    expect(v2.byteLength).toBe(LO_MAX_FRAME);
    expect(decodeLogRequest(v2)).toMatchObject({ ok: true });
  });

  it('accepts a v2 APPEND_BLOCK of 64 records of 512 bytes (at LO_MAX_BLOCK_FRAME exactly)', () => {
    const bytes = blockFrame(fullBlock());
    expect(bytes.byteLength).toBe(LO_MAX_BLOCK_FRAME);
    const res = decodeLogRequest(bytes);
    expect(res.ok && res.request.op === 4 && res.request.records.length).toBe(LO_MAX_BLOCK_RECORDS);
  });

  const rejects: ReadonlyArray<{ name: string; bytes: Uint8Array; status: number; reply: number[] }> = [
    { name: 'test_reject_scope_65', bytes: appendFrame(65, 0, 0), status: LO_STATUS.TOO_LARGE, reply: [0x4c, 0x4f, 1, 0x81, 3, ...u64(0n), ...u64(0n)] },
    { name: 'test_reject_msg_257', bytes: appendFrame(1, 257, 0), status: LO_STATUS.TOO_LARGE, reply: [0x4c, 0x4f, 1, 0x81, 3, ...u64(0n), ...u64(0n)] },
    { name: 'test_reject_fields_513', bytes: appendFrame(1, 0, 513), status: LO_STATUS.TOO_LARGE, reply: [0x4c, 0x4f, 1, 0x81, 3, ...u64(0n), ...u64(0n)] },
    { name: 'test_reject_frame_over_LO_MAX_FRAME', bytes: new Uint8Array(LO_MAX_FRAME + 1), status: LO_STATUS.TOO_LARGE, reply: [0x4c, 0x4f, 1, 0x80, 3] },
    { name: 'test_reject_block_of_0_records', bytes: blockFrame([]), status: LO_STATUS.MALFORMED, reply: blockFailure(LO_STATUS.MALFORMED) },
    { name: 'test_reject_block_of_65_records', bytes: blockFrame([...new Array<number>(65).fill(1)]), status: LO_STATUS.TOO_LARGE, reply: blockFailure(LO_STATUS.TOO_LARGE) },
    { name: 'test_reject_block_record_of_0_bytes', bytes: blockFrame([3, 0, 3]), status: LO_STATUS.MALFORMED, reply: blockFailure(LO_STATUS.MALFORMED) },
    { name: 'test_reject_block_record_of_513_bytes', bytes: blockFrame([3, 513]), status: LO_STATUS.TOO_LARGE, reply: blockFailure(LO_STATUS.TOO_LARGE) },
    { name: 'test_reject_block_count_over_records', bytes: blockFrame([3, 3], 3), status: LO_STATUS.MALFORMED, reply: blockFailure(LO_STATUS.MALFORMED) },
    { name: 'test_reject_block_trailing', bytes: frame(...blockFrame([3]), 0), status: LO_STATUS.MALFORMED, reply: blockFailure(LO_STATUS.MALFORMED) },
    { name: 'test_reject_block_over_LO_MAX_BLOCK_FRAME', bytes: frame(...blockFrame(fullBlock()), 0), status: LO_STATUS.TOO_LARGE, reply: [0x4c, 0x4f, 1, 0x80, 3] },
    {
      name: 'test_reject_v1_block',
      bytes: frame(0x4c, 0x4f, 1, 4, 1, 0, 1, 0, 7),
      status: LO_STATUS.UNSUPPORTED,
      reply: [0x4c, 0x4f, 1, 0x84, 2],
    },
    {
      name: 'test_reject_append_past_LO_MAX_FRAME_headed_as_append',
      bytes: frame(0x4c, 0x4f, 2, 1, ...new Array<number>(LO_MAX_FRAME).fill(0)),
      status: LO_STATUS.TOO_LARGE,
      reply: [0x4c, 0x4f, 1, 0x80, 3],
    },
    { name: 'test_reject_level_5', bytes: appendFrame(1, 0, 0, 5), status: LO_STATUS.MALFORMED, reply: [0x4c, 0x4f, 1, 0x81, 1, ...u64(0n), ...u64(0n)] },
    {
      name: 'test_reject_append_truncated',
      bytes: appendFrame(3, 0, 0).slice(0, -1),
      status: LO_STATUS.MALFORMED,
      reply: [0x4c, 0x4f, 1, 0x81, 1, ...u64(0n), ...u64(0n)],
    },
    {
      name: 'test_reject_append_trailing',
      bytes: frame(...appendFrame(1, 0, 0), 0),
      status: LO_STATUS.MALFORMED,
      reply: [0x4c, 0x4f, 1, 0x81, 1, ...u64(0n), ...u64(0n)],
    },
    {
      name: 'test_reject_query_max_count_0',
      bytes: frame(0x4c, 0x4f, 1, 2, ...u64(0n), 0, 0),
      status: LO_STATUS.MALFORMED,
      reply: [0x4c, 0x4f, 1, 0x82, 1, 0, 0, ...u64(0n)],
    },
    {
      name: 'test_reject_query_journal_2',
      bytes: frame(0x4c, 0x4f, 2, 2, ...u64(4n), ...filterBytes(2, 0n, 0n, 0xff, 1)),
      status: LO_STATUS.MALFORMED,
      reply: [0x4c, 0x4f, 2, 0x82, ...u64(4n), 1, 0, 0, ...u64(0n)],
    },
    {
      name: 'test_reject_query_decision_2',
      bytes: frame(0x4c, 0x4f, 2, 2, ...u64(4n), ...filterBytes(1, 0n, 0n, 2, 1)),
      status: LO_STATUS.MALFORMED,
      reply: [0x4c, 0x4f, 2, 0x82, ...u64(4n), 1, 0, 0, ...u64(0n)],
    },
    {
      name: 'test_reject_query_to_before_from',
      bytes: frame(0x4c, 0x4f, 2, 2, ...u64(4n), ...filterBytes(1, 5n, 4n, 0xff, 1)),
      status: LO_STATUS.MALFORMED,
      reply: [0x4c, 0x4f, 2, 0x82, ...u64(4n), 1, 0, 0, ...u64(0n)],
    },
    {
      name: 'test_reject_v1_query_with_v2_filter',
      bytes: frame(0x4c, 0x4f, 1, 2, ...filterBytes(1, 0n, 0n, 0xff, 1)),
      status: LO_STATUS.MALFORMED,
      reply: [0x4c, 0x4f, 1, 0x82, 1, 0, 0, ...u64(0n)],
    },
    {
      name: 'test_reject_stats_trailing',
      bytes: frame(0x4c, 0x4f, 2, 3, ...u64(6n), 0),
      status: LO_STATUS.MALFORMED,
      reply: [0x4c, 0x4f, 2, 0x83, ...u64(6n), 1, ...new Array<number>(72).fill(0)],
    },
    {
      name: 'test_reject_truncated_nonce',
      bytes: frame(0x4c, 0x4f, 2, 3, 1, 2, 3),
      status: LO_STATUS.MALFORMED,
      reply: [0x4c, 0x4f, 2, 0x83, ...u64(0n), 1, ...new Array<number>(72).fill(0)],
    },
    { name: 'test_reject_bad_magic', bytes: frame(0x4c, 0x4c, 1, 3), status: LO_STATUS.MALFORMED, reply: [0x4c, 0x4f, 1, 0x80, 1] },
    { name: 'test_reject_short_header', bytes: frame(0x4c, 0x4f), status: LO_STATUS.MALFORMED, reply: [0x4c, 0x4f, 1, 0x80, 1] },
    { name: 'test_reject_unknown_version 3', bytes: frame(0x4c, 0x4f, 3, 3), status: LO_STATUS.UNSUPPORTED, reply: [0x4c, 0x4f, 1, 0x83, 2, ...new Array<number>(72).fill(0)] },
    { name: 'test_reject_unknown_op 4', bytes: frame(0x4c, 0x4f, 1, 4), status: LO_STATUS.UNSUPPORTED, reply: [0x4c, 0x4f, 1, 0x84, 2] },
    {
      name: 'test_reject_unknown_op 9 (v2 echoes nonce)',
      bytes: frame(0x4c, 0x4f, 2, 9, ...u64(0xabn)),
      status: LO_STATUS.UNSUPPORTED,
      reply: [0x4c, 0x4f, 2, 0x89, ...u64(0xabn), 2],
    },
  ];
  for (const { name, bytes, status, reply } of rejects) {
    it(name, () => {
      const res = decodeLogRequest(bytes);
      expect(res).toMatchObject({ ok: false, status });
      if (!res.ok) expect([...res.reply]).toEqual(reply);
    });
  }

  it('property: random bytes never throw and results are well-formed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 900 }), (bytes) => {
        const res = decodeLogRequest(bytes);
        if (res.ok) expect([...encodeLogRequest(res.request)]).toEqual([...bytes]);
        else expect([1, 2, 3]).toContain(res.status);
      }),
    );
  });

  it('property: random LO-headed frames never throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2), fc.constantFrom(1, 2, 3, 4), fc.uint8Array({ maxLength: 120 }), (v, op, body) => {
        const bytes = Uint8Array.from([0x4c, 0x4f, v, op, ...body]);
        const res = decodeLogRequest(bytes);
        if (res.ok) expect([...encodeLogRequest(res.request)]).toEqual([...bytes]);
      }),
    );
  });
});

const text = (max: number): fc.Arbitrary<string> => fc.string({ maxLength: max, unit: 'grapheme-ascii' });
const level = fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const, 4 as const);
const u64a = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
const append = { level, scope: text(64), msg: text(256), fields: fc.uint8Array({ maxLength: 512 }) };
const filter = fc
  .record({
    journal: fc.constantFrom(0 as const, 1 as const),
    fromSeq: u64a,
    subject: u64a,
    decision: fc.constantFrom(0, 1, LO_ANY),
    op: fc.nat({ max: 255 }),
    cursor: u64a,
    maxCount: fc.integer({ min: 1, max: 0xffff }),
  })
  .chain((f) => fc.oneof(fc.constant(0n), fc.bigInt({ min: f.fromSeq, max: 0xffffffffffffffffn })).map((toSeq) => ({ ...f, toSeq })));
const arbLogRequest: fc.Arbitrary<LogRequest> = fc.oneof(
  fc.record({ version: fc.constant(1 as const), op: fc.constant(1 as const), ...append }),
  fc.record({ version: fc.constant(2 as const), op: fc.constant(1 as const), nonce: u64a, ...append }),
  fc.record({ version: fc.constant(1 as const), op: fc.constant(2 as const), sinceNsec: u64a, maxCount: fc.integer({ min: 1, max: 0xffff }) }),
  fc.record({ version: fc.constant(2 as const), op: fc.constant(2 as const), nonce: u64a, filter }),
  fc.constant({ version: 1 as const, op: 3 as const }),
  fc.record({ version: fc.constant(2 as const), op: fc.constant(3 as const), nonce: u64a }),
  fc.record({
    version: fc.constant(2 as const),
    op: fc.constant(4 as const),
    nonce: u64a,
    records: fc.array(fc.uint8Array({ minLength: 1, maxLength: 512 }), { minLength: 1, maxLength: LO_MAX_BLOCK_RECORDS }),
  }),
);

describe(encodeLogRequest, () => {
  it('property: encode → decode round trip', () => {
    fc.assert(
      fc.property(arbLogRequest, (request) => {
        expect(decodeLogRequest(encodeLogRequest(request))).toEqual({ ok: true, request });
      }),
    );
  });

  const bad: ReadonlyArray<{ name: string; request: LogRequest }> = [
    { name: 'test_reject_encode_scope_65', request: { version: 1, op: 1, level: 2, scope: 's'.repeat(65), msg: '', fields: none } },
    { name: 'test_reject_encode_msg_257', request: { version: 1, op: 1, level: 2, scope: '', msg: 'm'.repeat(257), fields: none } },
    { name: 'test_reject_encode_fields_513', request: { version: 1, op: 1, level: 2, scope: '', msg: '', fields: new Uint8Array(513) } },
    { name: 'test_reject_encode_level_5', request: { version: 1, op: 1, level: 5 as 4, scope: '', msg: '', fields: none } },
    { name: 'test_reject_encode_max_count_0', request: { version: 1, op: 2, sinceNsec: 0n, maxCount: 0 } },
    {
      name: 'test_reject_encode_decision_3',
      request: { version: 2, op: 2, nonce: 1n, filter: { journal: 0, fromSeq: 0n, toSeq: 0n, subject: 0n, decision: 3, op: 0, cursor: 0n, maxCount: 1 } },
    },
    { name: 'test_reject_encode_nonce_negative', request: { version: 2, op: 3, nonce: -1n } },
    { name: 'test_reject_encode_block_of_0_records', request: { version: 2, op: 4, nonce: 1n, records: [] } },
    { name: 'test_reject_encode_block_of_65_records', request: { version: 2, op: 4, nonce: 1n, records: new Array<Uint8Array>(65).fill(frame(1)) } },
    { name: 'test_reject_encode_block_record_of_0_bytes', request: { version: 2, op: 4, nonce: 1n, records: [frame(1), none] } },
    { name: 'test_reject_encode_block_record_of_513_bytes', request: { version: 2, op: 4, nonce: 1n, records: [new Uint8Array(513)] } },
    { name: 'test_reject_encode_block_record_not_bytes', request: { version: 2, op: 4, nonce: 1n, records: ['abc' as unknown as Uint8Array] } },
    { name: 'test_reject_encode_v1_block', request: { version: 1, op: 4, records: [frame(1)] } as unknown as LogRequest },
  ];
  for (const { name, request } of bad) {
    it(name, () => expect(() => encodeLogRequest(request)).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'BAD_VALUE' })));
  }
});
