// The LO codec: encode and decode of a request and of a reply, as the README's layout tables give them.
import { FrameReader, FrameWriter } from '@nexus/ipc';
import { decodeFailure } from '../decode-failure.js';
import { ProtoError } from '../proto-error.js';
import { readGuard } from '../read-guard.js';
import { readMagic } from '../read-magic.js';
import { utf8Cached } from '../utf8-cached.js';
import {
  isZeroLogStats,
  LO_ANY,
  LO_MAGIC,
  LO_MAX_BLOCK_FRAME,
  LO_MAX_BLOCK_RECORDS,
  LO_MAX_FIELDS,
  LO_MAX_FRAME,
  LO_MAX_MSG,
  LO_MAX_REPLY,
  LO_MAX_SCOPE,
  LO_OP,
  LO_STATUS,
  LO_ZERO_STATS,
  type LogAppend,
  type LogBlockReplyBody,
  type LogDecodeResult,
  type LogJournalStats,
  type LogLevel,
  type LogOp,
  type LogQueryFilter,
  type LogReply,
  type LogReplyHeader,
  type LogReplyInput,
  type LogRequest,
  type LogStats,
  type LogStatus,
} from './wire.js';

/**
 * Starts an LO frame: `[L,O,version,op]` and, on v2, `nonce:u64`.
 *
 * @example
 * const w = writeLogHeader(64, 2, 0x81, 7n).u8(0);
 */
function writeLogHeader(capacity: number, version: number, op: number, nonce: bigint | undefined): FrameWriter {
  if ((version === 1) !== (nonce === undefined)) {
    throw new ProtoError('BAD_VALUE', 'a nonce is required on v2 and absent on v1');
  }
  const w = new FrameWriter(capacity).bytes(LO_MAGIC).u8(version).u8(op);
  if (nonce !== undefined) w.u64(nonce);
  return w;
}

/** Bytes of an APPEND before scope, msg and fields: magic, version, op, level, sl, ml, fl. */
const APPEND_FIXED = 4 + 6;

function bad(what: string): never {
  throw new ProtoError('BAD_VALUE', what);
}

/** An APPEND, written into a writer sized exactly for it (one allocation, no copy at the end). */
function encodeAppend(a: LogAppend & { readonly version: 1 | 2; readonly nonce?: bigint }): Uint8Array {
  if (!Number.isInteger(a.level) || a.level < 0 || a.level > 4) bad(`level ${a.level}`);
  const scope = utf8Cached(a.scope);
  const msg = utf8Cached(a.msg);
  if (scope.byteLength > LO_MAX_SCOPE || msg.byteLength > LO_MAX_MSG || a.fields.byteLength > LO_MAX_FIELDS) {
    bad('scope ≤ 64, msg ≤ 256, fields ≤ 512 bytes');
  }
  const size = APPEND_FIXED + (a.version === 2 ? 8 : 0) + scope.byteLength + msg.byteLength + a.fields.byteLength;
  const w = writeLogHeader(size, a.version, 1, a.version === 2 ? a.nonce : undefined);
  w.u8(a.level).u8(scope.byteLength).u16(msg.byteLength).u16(a.fields.byteLength).bytes(scope).bytes(msg).bytes(a.fields);
  // The writer is local and exactly full, so its buffer is the frame: no copy needed.
  return w.view();
}

/** An APPEND_BLOCK, sized exactly: `count:u16`, then each record as `len:u16, bytes`. */
function encodeBlock(nonce: bigint, records: readonly Uint8Array[]): Uint8Array {
  const count = records.length;
  if (count < 1 || count > LO_MAX_BLOCK_RECORDS) bad(`block of ${count} records (1..${LO_MAX_BLOCK_RECORDS})`);
  // Each record is read once, so its measured length is the one written.
  const taken: Uint8Array[] = [];
  let size = 4 + 8 + 2;
  for (let i = 0; i < count; i += 1) {
    const record = records[i] as Uint8Array;
    if (!(record instanceof Uint8Array) || record.byteLength < 1 || record.byteLength > LO_MAX_FIELDS) bad(`record ${i}: 1..${LO_MAX_FIELDS} bytes`);
    taken.push(record);
    size += 2 + record.byteLength;
  }
  const w = writeLogHeader(size, 2, 4, nonce).u16(count);
  for (const record of taken) w.bytes16(record);
  return w.view();
}

function writeFilter(w: FrameWriter, f: LogQueryFilter): void {
  if (f.journal !== 0 && f.journal !== 1) bad(`journal ${String(f.journal)}`);
  if (f.decision !== 0 && f.decision !== 1 && f.decision !== LO_ANY) bad(`decision ${f.decision}`);
  if (f.toSeq !== 0n && f.toSeq < f.fromSeq) bad('to_seq before from_seq');
  if (f.maxCount < 1) bad('max_count 0');
  w.u8(f.journal).u64(f.fromSeq).u64(f.toSeq).u64(f.subject).u8(f.decision).u8(f.op).u64(f.cursor).u16(f.maxCount);
}

/**
 * Encodes an LO request: APPEND `[L,O,ver,1,(nonce:u64), level, sl:u8, ml:u16, fl:u16, scope,
 * msg, fields]`; v2 APPEND_BLOCK `[L,O,2,4, nonce, count:u16, count × (len:u16, record)]` (1..64
 * records of 1..512 bytes); v1 QUERY `[L,O,1,2, since_nsec:u64, max_count:u16]`; v2 QUERY
 * `[L,O,2,2, nonce, journal:u8, from_seq:u64, to_seq:u64, subject:u64, decision:u8, op:u8,
 * cursor:u64, max_count:u16]`; STATS header (+ nonce) only. Throws `ProtoError('BAD_VALUE')` for a
 * field outside its bound.
 *
 * @example
 * encodeLogRequest({ version: 2, op: LO_OP.APPEND, nonce: 1n, level: LO_LEVEL.INFO, scope: 'policyd.audit', msg: '', fields: record });
 */
export function encodeLogRequest(req: LogRequest): Uint8Array {
  return readGuard(() => {
    if (req.op === 1) return encodeAppend(req);
    if (req.op === 4) {
      if (req.version !== 2) bad('APPEND_BLOCK is v2 only');
      return encodeBlock(req.nonce, req.records);
    }
    const w = writeLogHeader(LO_MAX_FRAME, req.version, req.op, req.version === 2 ? req.nonce : undefined);
    if (req.op === 2) {
      if (req.version === 1) w.u64(req.sinceNsec).u16(req.maxCount < 1 ? bad('max_count 0') : req.maxCount);
      else writeFilter(w, req.filter);
    } else if (req.op !== 3) bad(`op ${String((req as { op: unknown }).op)}`);
    return w.finish();
  }, 'BAD_VALUE');
}

function malformed(what: string): never {
  throw new ProtoError('MALFORMED', what);
}

function readAppend(r: FrameReader): LogAppend {
  return readGuard(() => {
    const level = r.u8();
    if (level > 4) malformed(`level ${level}`);
    const sl = r.u8();
    const ml = r.u16();
    const fl = r.u16();
    if (sl > LO_MAX_SCOPE || ml > LO_MAX_MSG || fl > LO_MAX_FIELDS) {
      throw new ProtoError('TOO_LARGE', `scope ${sl}, msg ${ml}, fields ${fl} bytes`);
    }
    return { level: level as LogLevel, scope: r.utf8(sl), msg: r.utf8(ml), fields: r.bytes(fl) };
  });
}

/** The records of an APPEND_BLOCK: `count:u16` (1..64), then `count × (len:u16, record)`, each 1..512 bytes. */
function readBlock(r: FrameReader): Uint8Array[] {
  return readGuard(() => {
    const count = r.u16();
    if (count === 0) malformed('empty block');
    if (count > LO_MAX_BLOCK_RECORDS) throw new ProtoError('TOO_LARGE', `${count} records`);
    const records: Uint8Array[] = [];
    for (let i = 0; i < count; i += 1) {
      const len = r.u16();
      if (len === 0) malformed(`record ${i} empty`);
      if (len > LO_MAX_FIELDS) throw new ProtoError('TOO_LARGE', `record ${i} of ${len} bytes`);
      records.push(r.bytes(len));
    }
    return records;
  });
}

function readMaxCount(r: FrameReader): number {
  const n = r.u16();
  return n === 0 ? malformed('max_count 0') : n;
}

function readFilter(r: FrameReader): LogQueryFilter {
  return readGuard(() => {
    const journal = r.u8();
    if (journal !== 0 && journal !== 1) malformed(`journal ${journal}`);
    const fromSeq = r.u64();
    const toSeq = r.u64();
    if (toSeq !== 0n && toSeq < fromSeq) malformed('to_seq before from_seq');
    const subject = r.u64();
    const decision = r.u8();
    if (decision !== 0 && decision !== 1 && decision !== LO_ANY) malformed(`decision ${decision}`);
    const op = r.u8();
    const cursor = r.u64();
    return { journal, fromSeq, toSeq, subject, decision, op, cursor, maxCount: readMaxCount(r) };
  });
}

function readBody(r: FrameReader, version: 1 | 2, op: number, nonce: bigint): LogRequest | undefined {
  if (version === 1) {
    if (op === 1) return { version, op, ...readAppend(r) };
    if (op === 2) return readGuard(() => ({ version, op, sinceNsec: r.u64(), maxCount: readMaxCount(r) }));
    if (op === 3) return { version, op };
    return undefined;
  }
  if (op === 1) return { version, op, nonce, ...readAppend(r) };
  if (op === 2) return { version, op, nonce, filter: readFilter(r) };
  if (op === 3) return { version, op, nonce };
  if (op === 4) return { version, op, nonce, records: readBlock(r) };
  return undefined;
}

/** Whether `frame` opens as a v2 APPEND_BLOCK, the one request allowed past `LO_MAX_FRAME`. */
function opensBlock(frame: Uint8Array): boolean {
  return frame.byteLength >= 4 && frame[0] === LO_MAGIC[0] && frame[1] === LO_MAGIC[1] && frame[2] === 2 && frame[3] === LO_OP.APPEND_BLOCK;
}

/**
 * Decodes an LO request as logd receives it. Never throws: a bad frame comes back as
 * `{ ok: false, status, reply }` with the reply frame to send (version, op and nonce echoed when
 * they could be read). Checks, in order: size (> `LO_MAX_FRAME`, or `LO_MAX_BLOCK_FRAME` for a v2
 * APPEND_BLOCK → TOO_LARGE, before parsing),
 * magic and header (→ MALFORMED), version and op (→ UNSUPPORTED), field bounds (scope > 64,
 * msg > 256, fields > 512, a block over 64 records or with a record over 512 → TOO_LARGE), then the exact layout and field values (→ MALFORMED).
 *
 * @example
 * const res = decodeLogRequest(msg.frame);
 * if (!res.ok) return res.reply;
 * if (res.request.op === LO_OP.APPEND) store(msg.senderServiceId, res.request);
 */
export function decodeLogRequest(frame: Uint8Array): LogDecodeResult {
  let version: number | undefined;
  let op: number | undefined;
  let nonce: bigint | undefined;
  const fail = (status: 1 | 2 | 3): LogDecodeResult => {
    const known = version === 2 ? 2 : 1;
    const reply = encodeLogFailure(known, op ?? 0, known === 2 ? (nonce ?? 0n) : undefined, status);
    return decodeFailure(status, { version, op, nonce }, reply);
  };

  if (frame.byteLength > (opensBlock(frame) ? LO_MAX_BLOCK_FRAME : LO_MAX_FRAME)) return fail(LO_STATUS.TOO_LARGE);
  const r = new FrameReader(frame);
  if (r.remaining < 4 || !readMagic(r, LO_MAGIC)) return fail(LO_STATUS.MALFORMED);
  version = r.u8();
  op = r.u8();
  if (version !== 1 && version !== 2) return fail(LO_STATUS.UNSUPPORTED);
  const v: 1 | 2 = version;
  if (v === 2) {
    if (r.remaining < 8) return fail(LO_STATUS.MALFORMED);
    nonce = r.u64();
  }
  try {
    const request = readBody(r, v, op, nonce ?? 0n);
    if (request === undefined) return fail(LO_STATUS.UNSUPPORTED);
    readGuard(() => r.end());
    return { ok: true, request };
  } catch (cause) {
    return fail(cause instanceof ProtoError && cause.code === 'TOO_LARGE' ? LO_STATUS.TOO_LARGE : LO_STATUS.MALFORMED);
  }
}

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
