import { FrameReader } from '@nexus/ipc';
import { encodeLogFailure } from './encode-log-reply.js';
import { decodeFailure } from '../decode-failure.js';
import {
  LO_ANY,
  LO_MAGIC,
  LO_MAX_BLOCK_FRAME,
  LO_MAX_BLOCK_RECORDS,
  LO_MAX_FIELDS,
  LO_MAX_FRAME,
  LO_OP,
  LO_MAX_MSG,
  LO_MAX_SCOPE,
  LO_STATUS,
  type LogAppend,
  type LogDecodeResult,
  type LogLevel,
  type LogQueryFilter,
  type LogRequest,
} from './wire.js';
import { ProtoError } from '../proto-error.js';
import { readGuard } from '../read-guard.js';
import { readMagic } from '../read-magic.js';

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
