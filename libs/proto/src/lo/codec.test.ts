import { describe, expect, it } from 'vitest';
import { decodeLogReply, decodeLogRequest, encodeLogReply, encodeLogRequest } from './codec.js';
import { LO_ANY, LO_ZERO_STATS, type LogOp, type LogReply, type LogReplyHeader, type LogReplyInput, type LogRequest, type LogStats } from './wire.js';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u64 = (n: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
const frame = (...b: number[]): Uint8Array => Uint8Array.from(b);
const none = new Uint8Array(0);

/** Golden request frames of the README's layout table, byte by byte: every (version, op) once. */
const requests: ReadonlyArray<{ name: string; bytes: number[]; request: LogRequest }> = [
  {
    name: 'v1 APPEND info "svc" "hi" fields [1]',
    bytes: [0x4c, 0x4f, 0x01, 0x01, 0x02, 0x03, 0x02, 0x00, 0x01, 0x00, ...ascii('svc'), ...ascii('hi'), 0x01],
    request: { version: 1, op: 1, level: 2, scope: 'svc', msg: 'hi', fields: frame(1) },
  },
  {
    name: 'v2 APPEND error, nonce 0x0102030405060708',
    bytes: [0x4c, 0x4f, 0x02, 0x01, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, ...ascii('a')],
    request: { version: 2, op: 1, nonce: 0x0102030405060708n, level: 0, scope: 'a', msg: '', fields: none },
  },
  {
    name: 'v1 QUERY since 5, max 10',
    bytes: [0x4c, 0x4f, 0x01, 0x02, ...u64(5n), 0x0a, 0x00],
    request: { version: 1, op: 2, sinceNsec: 5n, maxCount: 10 },
  },
  {
    name: 'v2 QUERY audit denies of subject 9 from seq 3',
    bytes: [0x4c, 0x4f, 0x02, 0x02, ...u64(1n), 0x01, ...u64(3n), ...u64(0n), ...u64(9n), 0x01, 0xff, ...u64(0n), 0x40, 0x00],
    request: {
      version: 2,
      op: 2,
      nonce: 1n,
      filter: { journal: 1, fromSeq: 3n, toSeq: 0n, subject: 9n, decision: 1, op: LO_ANY, cursor: 0n, maxCount: 64 },
    },
  },
  { name: 'v1 STATS', bytes: [0x4c, 0x4f, 0x01, 0x03], request: { version: 1, op: 3 } },
  { name: 'v2 STATS nonce 2', bytes: [0x4c, 0x4f, 0x02, 0x03, ...u64(2n)], request: { version: 2, op: 3, nonce: 2n } },
  {
    name: 'v2 APPEND_BLOCK nonce 3, records [7] and [8, 9]',
    bytes: [0x4c, 0x4f, 0x02, 0x04, ...u64(3n), 0x02, 0x00, 0x01, 0x00, 0x07, 0x02, 0x00, 0x08, 0x09],
    request: { version: 2, op: 4, nonce: 3n, records: [frame(7), frame(8, 9)] },
  },
];

const STATS: LogStats = {
  general: { total: 10n, dropped: 2n, highWater: 8, count: 7, bytes: 700 },
  audit: { total: 5n, dropped: 0n, highWater: 5, count: 5, bytes: 300 },
  rejectedForged: 1n,
  suppressed: 6n,
};
const statsBytes = [...u64(10n), ...u64(2n), ...u32(8), ...u32(7), ...u32(700), ...u64(5n), ...u64(0n), ...u32(5), ...u32(5), ...u32(300), ...u64(1n), ...u64(6n)];

/** Golden reply frames, byte by byte: every (version, op) once, OK and failure statuses, a stored block prefix. */
const replies: ReadonlyArray<{ name: string; reply: LogReply; bytes: number[] }> = [
  {
    name: 'v1 APPEND ok id 7 dropped 1',
    reply: { version: 1, op: 1, status: 0, recordId: 7n, dropped: 1n },
    bytes: [0x4c, 0x4f, 0x01, 0x81, 0x00, ...u64(7n), ...u64(1n)],
  },
  {
    name: 'v2 APPEND denied nonce 3',
    reply: { version: 2, nonce: 3n, op: 1, status: 4, recordId: 0n, dropped: 0n },
    bytes: [0x4c, 0x4f, 0x02, 0x81, ...u64(3n), 0x04, ...u64(0n), ...u64(0n)],
  },
  {
    name: 'v2 QUERY ok two records, next cursor 9',
    reply: { version: 2, nonce: 1n, op: 2, status: 0, records: [frame(0xaa), frame(0xbb, 0xcc)], nextCursor: 9n },
    bytes: [0x4c, 0x4f, 0x02, 0x82, ...u64(1n), 0x00, 0x02, 0x00, ...u64(9n), 0x01, 0x00, 0xaa, 0x02, 0x00, 0xbb, 0xcc],
  },
  {
    name: 'v1 QUERY denied',
    reply: { version: 1, op: 2, status: 4, records: [], nextCursor: 0n },
    bytes: [0x4c, 0x4f, 0x01, 0x82, 0x04, 0x00, 0x00, ...u64(0n)],
  },
  {
    name: 'v2 STATS ok',
    reply: { version: 2, nonce: 2n, op: 3, status: 0, stats: STATS },
    bytes: [0x4c, 0x4f, 0x02, 0x83, ...u64(2n), 0x00, ...statsBytes],
  },
  {
    name: 'v1 STATS unsupported',
    reply: { version: 1, op: 3, status: 2, stats: LO_ZERO_STATS },
    bytes: [0x4c, 0x4f, 0x01, 0x83, 0x02, ...new Array<number>(72).fill(0)],
  },
  {
    name: 'v2 APPEND_BLOCK ok 3 stored from id 10, dropped 2',
    reply: { version: 2, nonce: 4n, op: 4, status: 0, stored: 3, firstId: 10n, dropped: 2n },
    bytes: [0x4c, 0x4f, 0x02, 0x84, ...u64(4n), 0x00, 0x03, 0x00, ...u64(10n), ...u64(2n)],
  },
  {
    name: 'v2 APPEND_BLOCK full after 2 stored from id 5',
    reply: { version: 2, nonce: 4n, op: 4, status: 5, stored: 2, firstId: 5n, dropped: 0n },
    bytes: [0x4c, 0x4f, 0x02, 0x84, ...u64(4n), 0x05, 0x02, 0x00, ...u64(5n), ...u64(0n)],
  },
  {
    name: 'v2 APPEND_BLOCK malformed, nothing stored',
    reply: { version: 2, nonce: 4n, op: 4, status: 1, stored: 0, firstId: 0n, dropped: 0n },
    bytes: [0x4c, 0x4f, 0x02, 0x84, ...u64(4n), 0x01, 0x00, 0x00, ...u64(0n), ...u64(0n)],
  },
];

/** A QUERY reply as the encoder takes it: its records offered as entries with cursors 1, 2, … */
function toInput(reply: LogReply): LogReplyInput {
  if (reply.op !== 2) return reply;
  const { records, ...rest } = reply;
  return { ...rest, entries: records.map((bytes, i) => ({ cursor: BigInt(i + 1), bytes })) };
}

const header = (r: LogReply): LogReplyHeader & { op: LogOp } => ({ version: r.version, op: r.op, ...(r.nonce === undefined ? {} : { nonce: r.nonce }) });

/** The (version, op) pairs LO has: ops 1..3 on v1 and v2, APPEND_BLOCK on v2 only. */
const PAIRS = ['1/1', '1/2', '1/3', '2/1', '2/2', '2/3', '2/4'];

describe('LO codec round trip', () => {
  describe('requests', () => {
    for (const { name, bytes, request } of requests) {
      it(`decodes ${name}`, () => expect(decodeLogRequest(Uint8Array.from(bytes))).toEqual({ ok: true, request }));
      it(`encodes ${name}`, () => expect([...encodeLogRequest(request)]).toEqual(bytes));
      it(`${name}: encode → decode = input`, () => expect(decodeLogRequest(encodeLogRequest(request))).toEqual({ ok: true, request }));
    }
  });

  describe('replies', () => {
    for (const { name, reply, bytes } of replies) {
      it(`encodes ${name}`, () => expect([...encodeLogReply(toInput(reply))]).toEqual(bytes));
      it(`decodes ${name}`, () => expect(decodeLogReply(Uint8Array.from(bytes), header(reply))).toEqual(reply));
      it(`${name}: encode → decode = input`, () => expect(decodeLogReply(encodeLogReply(toInput(reply)), header(reply))).toEqual(reply));
    }
  });

  it('covers every (version, op) in requests and in replies', () => {
    const pairs = (rows: ReadonlyArray<{ readonly version: number; readonly op: number }>): string[] =>
      [...new Set(rows.map((r) => `${r.version}/${r.op}`))].sort();
    expect(pairs(requests.map((g) => g.request))).toEqual(PAIRS);
    expect(pairs(replies.map((g) => g.reply))).toEqual(PAIRS);
  });
});
