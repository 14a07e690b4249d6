import type { FrameWriter } from '@nexus/ipc';
import { writeLogHeader } from './header.js';
import { LO_ANY, LO_MAX_BLOCK_RECORDS, LO_MAX_FIELDS, LO_MAX_FRAME, LO_MAX_MSG, LO_MAX_SCOPE, type LogAppend, type LogQueryFilter, type LogRequest } from './wire.js';
import { ProtoError } from '../proto-error.js';
import { readGuard } from '../read-guard.js';
import { utf8Cached } from '../utf8-cached.js';

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
