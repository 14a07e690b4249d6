import { FrameReader } from '@nexus/ipc';
import {
  LO_MAGIC,
  LO_MAX_BLOCK_RECORDS,
  LO_MAX_REPLY,
  LO_STATUS,
  LO_ZERO_STATS,
  type LogJournalStats,
  type LogOp,
  type LogReply,
  type LogReplyHeader,
  type LogStats,
  type LogStatus,
  isZeroLogStats,
} from './wire.js';
import { ProtoError } from '../proto-error.js';
import { readGuard } from '../read-guard.js';
import { readMagic } from '../read-magic.js';

function readStats(r: FrameReader): LogStats {
  const journal = (): LogJournalStats => ({ total: r.u64(), dropped: r.u64(), highWater: r.u32(), count: r.u32(), bytes: r.u32() });
  return { general: journal(), audit: journal(), rejectedForged: r.u64(), suppressed: r.u64() };
}

/**
 * Decodes an LO reply and checks it answers `expected`: magic, version, `op | 0x80`, nonce (v2),
 * status in 0..5, the op's exact layout, at most 4096 bytes, non-empty records, and zeros (no
 * records, zero counters) on a non-OK reply (a block reply: at most 64 stored, at least one when
 * OK, no `first_id` when none). Throws `ProtoError` (`MALFORMED`, `TOO_LARGE` or
 * `MISMATCH`) otherwise.
 *
 * @example
 * const reply = decodeLogReply(frame, { version: 2, op: LO_OP.QUERY, nonce: 7n });
 * if (reply.op === LO_OP.QUERY) reply.records;
 */
export function decodeLogReply(frame: Uint8Array, expected: LogReplyHeader & { readonly op: LogOp }): LogReply {
  if (frame.byteLength > LO_MAX_REPLY) throw new ProtoError('TOO_LARGE', `${frame.byteLength} bytes`);
  const r = new FrameReader(frame);
  return readGuard(() => {
    if (!readMagic(r, LO_MAGIC)) throw new ProtoError('MALFORMED', 'bad magic');
    if (r.u8() !== expected.version) throw new ProtoError('MISMATCH', 'version');
    if (r.u8() !== (expected.op | 0x80)) throw new ProtoError('MISMATCH', 'op');
    const header: LogReplyHeader = { version: expected.version };
    let nonce: bigint | undefined;
    if (expected.version === 2) {
      nonce = r.u64();
      if (nonce !== expected.nonce) throw new ProtoError('MISMATCH', 'nonce');
    }
    const head = { ...header, ...(nonce === undefined ? {} : { nonce }) };
    const raw = r.u8();
    if (raw > LO_STATUS.FULL) throw new ProtoError('MALFORMED', `status ${raw}`);
    const status = raw as LogStatus;
    const ok = status === LO_STATUS.OK;
    let reply: LogReply;
    if (expected.op === 1) {
      const recordId = r.u64();
      const dropped = r.u64();
      if (!ok && (recordId !== 0n || dropped !== 0n)) throw new ProtoError('MALFORMED', 'values on a non-OK reply');
      reply = { ...head, op: 1, status, recordId, dropped };
    } else if (expected.op === 2) {
      const count = r.u16();
      const nextCursor = r.u64();
      if (!ok && (count !== 0 || nextCursor !== 0n)) throw new ProtoError('MALFORMED', 'records on a non-OK reply');
      const records: Uint8Array[] = [];
      for (let i = 0; i < count; i += 1) {
        const record = r.bytes16();
        if (record.byteLength === 0) throw new ProtoError('MALFORMED', 'empty record');
        records.push(record);
      }
      reply = { ...head, op: 2, status, records, nextCursor };
    } else if (expected.op === 4) {
      const stored = r.u16();
      const firstId = r.u64();
      const dropped = r.u64();
      if (stored > LO_MAX_BLOCK_RECORDS) throw new ProtoError('MALFORMED', `stored ${stored}`);
      if (ok && stored === 0) throw new ProtoError('MALFORMED', 'an OK block stored nothing');
      if (stored === 0 && firstId !== 0n) throw new ProtoError('MALFORMED', 'first_id without a stored record');
      reply = { ...head, op: 4, status, stored, firstId, dropped };
    } else {
      const stats = readStats(r);
      if (!ok && !isZeroLogStats(stats)) throw new ProtoError('MALFORMED', 'counters on a non-OK reply');
      reply = { ...head, op: 3, status, stats: ok ? stats : LO_ZERO_STATS };
    }
    r.end();
    return reply;
  });
}
