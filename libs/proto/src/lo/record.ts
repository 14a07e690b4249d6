import { FrameReader, FrameWriter } from '@nexus/ipc';
import { LO_MAX_FIELDS, LO_MAX_MSG, LO_MAX_SCOPE, type LogLevel } from './wire.js';
import { ProtoError } from '../proto-error.js';
import { readGuard } from '../read-guard.js';

/**
 * A stored general-journal record as a QUERY reply carries it:
 * `record_id:u64, timestamp_ns:u64, service_id:u64, level:u8, sl:u8, ml:u16, fl:u16, scope, msg,
 * fields`. `serviceId` is the kernel-stamped sender of the APPEND, never a payload field.
 */
export interface LogRecord {
  readonly recordId: bigint;
  readonly timestampNs: bigint;
  readonly serviceId: bigint;
  readonly level: LogLevel;
  readonly scope: string;
  readonly msg: string;
  readonly fields: Uint8Array;
}

/** Largest encoded {@link LogRecord}. */
export const LO_MAX_RECORD: number = 24 + 6 + LO_MAX_SCOPE + LO_MAX_MSG + LO_MAX_FIELDS;

const encoder = new TextEncoder();

/**
 * Encodes a general-journal record. Throws `ProtoError('BAD_VALUE')` for a field out of its bound.
 *
 * @example
 * const bytes = encodeLogRecord({ recordId: 1n, timestampNs: 5n, serviceId: msg.senderServiceId, level: 2, scope: 'x', msg: 'hi', fields: new Uint8Array(0) });
 */
export function encodeLogRecord(record: LogRecord): Uint8Array {
  if (!Number.isInteger(record.level) || record.level < 0 || record.level > 4) throw new ProtoError('BAD_VALUE', 'level');
  const scope = encoder.encode(record.scope);
  const msg = encoder.encode(record.msg);
  return readGuard(() => {
    const w = new FrameWriter(LO_MAX_RECORD).u64(record.recordId).u64(record.timestampNs).u64(record.serviceId).u8(record.level);
    if (scope.byteLength > LO_MAX_SCOPE) throw new ProtoError('BAD_VALUE', 'scope over 64 bytes');
    if (msg.byteLength > LO_MAX_MSG) throw new ProtoError('BAD_VALUE', 'msg over 256 bytes');
    if (record.fields.byteLength > LO_MAX_FIELDS) throw new ProtoError('BAD_VALUE', 'fields over 512 bytes');
    return w.u8(scope.byteLength).u16(msg.byteLength).u16(record.fields.byteLength).bytes(scope).bytes(msg).bytes(record.fields).finish();
  }, 'BAD_VALUE');
}

/**
 * Decodes a general-journal record; throws `ProtoError('MALFORMED')` unless the bytes are exactly
 * one record within its bounds.
 *
 * @example
 * const rec = decodeLogRecord(reply.records[0]);
 */
export function decodeLogRecord(bytes: Uint8Array): LogRecord {
  const r = new FrameReader(bytes);
  return readGuard(() => {
    const recordId = r.u64();
    const timestampNs = r.u64();
    const serviceId = r.u64();
    const level = r.u8();
    if (level > 4) throw new ProtoError('MALFORMED', `level ${level}`);
    const sl = r.u8();
    const ml = r.u16();
    const fl = r.u16();
    if (sl > LO_MAX_SCOPE || ml > LO_MAX_MSG || fl > LO_MAX_FIELDS) throw new ProtoError('MALFORMED', 'field over its bound');
    const record: LogRecord = { recordId, timestampNs, serviceId, level: level as LogLevel, scope: r.utf8(sl), msg: r.utf8(ml), fields: r.bytes(fl) };
    r.end();
    return record;
  });
}
