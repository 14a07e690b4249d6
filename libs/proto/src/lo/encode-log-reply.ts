import { FrameWriter } from '@nexus/ipc';
import { writeLogHeader } from './header.js';
import {
  LO_MAX_BLOCK_RECORDS,
  LO_MAX_REPLY,
  LO_STATUS,
  LO_ZERO_STATS,
  type LogBlockReplyBody,
  type LogJournalStats,
  type LogReplyInput,
  type LogStats,
  type LogStatus,
  isZeroLogStats,
} from './wire.js';
import { ProtoError } from '../proto-error.js';
import { readGuard } from '../read-guard.js';

function writeStats(w: FrameWriter, stats: LogStats): void {
  const journal = (j: LogJournalStats): void => {
    w.u64(j.total).u64(j.dropped).u32(j.highWater).u32(j.count).u32(j.bytes);
  };
  journal(stats.general);
  journal(stats.audit);
  w.u64(stats.rejectedForged).u64(stats.suppressed);
}

function checkStatus(status: number): asserts status is LogStatus {
  if (!Number.isInteger(status) || status < LO_STATUS.OK || status > LO_STATUS.FULL) {
    throw new ProtoError('BAD_VALUE', `status ${status}`);
  }
}

/** Throws unless `b` is a block reply a client can act on: a stored prefix, ids only for stored records. */
function checkBlock(b: LogBlockReplyBody): void {
  if (!Number.isInteger(b.stored) || b.stored < 0 || b.stored > LO_MAX_BLOCK_RECORDS) throw new ProtoError('BAD_VALUE', `stored ${b.stored}`);
  if (b.status === LO_STATUS.OK && b.stored === 0) throw new ProtoError('BAD_VALUE', 'an OK block stored nothing');
  if (b.stored === 0 && b.firstId !== 0n) throw new ProtoError('BAD_VALUE', 'first_id without a stored record');
}

/**
 * Encodes an LO reply. APPEND `[L,O,ver,0x81,(nonce:u64),status,record_id:u64,dropped:u64]`;
 * QUERY `[L,O,ver,0x82,(nonce),status,count:u16,next_cursor:u64, count × (len:u16, record)]` with
 * as many `entries` as fit in `LO_MAX_REPLY` (4096) bytes — when one does not fit, it and the rest
 * are left out and `next_cursor` is that entry's cursor; STATS
 * `[L,O,ver,0x83,(nonce),status, general{total:u64,dropped:u64,high_water:u32,count:u32,bytes:u32},
 * audit{…}, rejected_forged:u64]`; APPEND_BLOCK `[L,O,2,0x84,nonce,status,stored:u16,first_id:u64,
 * dropped:u64]` (a non-OK block reply may still report a stored prefix). Throws `ProtoError('BAD_VALUE')` for a value a field cannot
 * carry, records on a non-OK reply, an empty record, one that could never fit, or a cursor of 0.
 *
 * @example
 * encodeLogReply({ version: 2, nonce: 7n, op: LO_OP.QUERY, status: LO_STATUS.OK, entries, nextCursor: 0n });
 */
export function encodeLogReply(reply: LogReplyInput): Uint8Array {
  checkStatus(reply.status);
  if (reply.op === 4) checkBlock(reply);
  const zeros =
    reply.op === 1 ? reply.recordId === 0n && reply.dropped === 0n : reply.op === 3 ? isZeroLogStats(reply.stats) : true;
  if (reply.status !== LO_STATUS.OK && !zeros) throw new ProtoError('BAD_VALUE', 'values on a non-OK reply');
  return readGuard(() => {
    const w = writeLogHeader(LO_MAX_REPLY, reply.version, reply.op | 0x80, reply.nonce).u8(reply.status);
    if (reply.op === 1) {
      w.u64(reply.recordId).u64(reply.dropped);
    } else if (reply.op === 3) {
      writeStats(w, reply.stats);
    } else if (reply.op === 4) {
      w.u16(reply.stored).u64(reply.firstId).u64(reply.dropped);
    } else {
      if (reply.status !== LO_STATUS.OK && reply.entries.length > 0) throw new ProtoError('BAD_VALUE', 'records on a non-OK reply');
      const body = new FrameWriter(LO_MAX_REPLY);
      const room = LO_MAX_REPLY - w.length - 2 - 8;
      let count = 0;
      let next = reply.nextCursor ?? 0n;
      for (const entry of reply.entries) {
        const size = 2 + entry.bytes.byteLength;
        if (entry.bytes.byteLength === 0 || size > room) throw new ProtoError('BAD_VALUE', `record of ${entry.bytes.byteLength} bytes`);
        if (body.length + size > room) {
          if (entry.cursor === 0n) throw new ProtoError('BAD_VALUE', 'cursor 0 means end');
          next = entry.cursor;
          break;
        }
        body.bytes16(entry.bytes);
        count += 1;
      }
      w.u16(count).u64(next).bytes(body.finish());
    }
    return w.finish();
  }, 'BAD_VALUE');
}

/**
 * The reply to a request that could not be decoded: the op's fixed layout with zeros (no records,
 * zero counters, nothing stored) for APPEND / QUERY / STATS / v2 APPEND_BLOCK, else the bare `[L,O,ver,op|0x80,(nonce),status]`.
 *
 * @internal
 * @example
 * encodeLogFailure(1, 9, undefined, LO_STATUS.UNSUPPORTED); // [0x4c,0x4f,1,0x89,2]
 */
export function encodeLogFailure(version: 1 | 2, op: number, nonce: bigint | undefined, status: LogStatus): Uint8Array {
  const header = { version, ...(nonce === undefined ? {} : { nonce }), status };
  if (op === 1) return encodeLogReply({ ...header, op, recordId: 0n, dropped: 0n });
  if (op === 2) return encodeLogReply({ ...header, op, entries: [] });
  if (op === 3) return encodeLogReply({ ...header, op, stats: LO_ZERO_STATS });
  if (op === 4 && version === 2) return encodeLogReply({ ...header, op, stored: 0, firstId: 0n, dropped: 0n });
  return readGuard(() => writeLogHeader(16, version, (op & 0x7f) | 0x80, nonce).u8(status).finish(), 'BAD_VALUE');
}
