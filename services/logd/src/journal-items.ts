import { AUDIT_LIMITS, decodeRecord } from '@nexus/audit';
import { decodeLogRecord, encodeLogRecord, type LogAppend } from '@nexus/proto';
import type { AuditBoots } from './audit-boots.js';
import type { RecordCodec } from './disk-journal.js';

/**
 * A stored audit record: its binary encoding as appended, plus the keys QUERY filters on and what
 * the boot tracker needs (a checkpoint's boot id and head, whether it is sealed).
 *
 * @example
 * const item: AuditItem = auditItemOf(encoded);
 */
export interface AuditItem {
  readonly bytes: Uint8Array;
  readonly seq: bigint;
  readonly timestampNs: bigint;
  readonly subjectId: bigint;
  readonly decision: number;
  readonly op: number;
  readonly checkpoint?: { readonly bootId: Uint8Array; readonly headSeq: bigint; readonly sealed: boolean };
}

/**
 * A stored general record (its id is the journal entry's id).
 *
 * @example
 * const item: GeneralItem = { level: 2, scope: 'app', msg: 'hi', fields, timestampNs: 1n, serviceId };
 */
export interface GeneralItem extends LogAppend {
  readonly timestampNs: bigint;
  readonly serviceId: bigint;
}

/**
 * Decodes an audit record's bytes into the item logd stores; throws (an `AuditError`) when the
 * bytes are not a valid v2 record.
 *
 * @example
 * auditItemOf(chain.appendSealed(input).encoded).seq; // 1n
 */
export function auditItemOf(bytes: Uint8Array): AuditItem {
  const record = decodeRecord(bytes);
  const c = record.checkpoint;
  return {
    bytes,
    seq: record.seq,
    timestampNs: record.timestampNs,
    subjectId: record.subjectId,
    decision: record.decision === 'allow' ? 0 : 1,
    op: AUDIT_LIMITS.ops.indexOf(record.op),
    ...(c === undefined ? {} : { checkpoint: { bootId: c.bootId, headSeq: c.headSeq, sealed: c.signature !== undefined } }),
  };
}

/**
 * The LO record of a general item, as QUERY returns it and as the disk stores it (with id 0 on
 * disk: the frame carries the id).
 *
 * @example
 * const bytes = encodeGeneral(7n, item);
 */
export function encodeGeneral(recordId: bigint, item: GeneralItem): Uint8Array {
  return encodeLogRecord({
    recordId,
    timestampNs: item.timestampNs,
    serviceId: item.serviceId,
    level: item.level,
    scope: item.scope,
    msg: item.msg,
    fields: item.fields,
  });
}

/**
 * How the audit journal is stored: the record's own bytes; each record is shown to `boots` so the
 * journal knows its boot and seq (the index keeps them per segment for `rotate-sealed`).
 *
 * @example
 * const codec = auditCodec(new AuditBoots());
 */
export function auditCodec(boots: AuditBoots): RecordCodec<AuditItem> {
  return {
    encode: (item) => ({ timestampNs: item.timestampNs, body: item.bytes }),
    decode: (_id, _ts, body) => auditItemOf(Uint8Array.prototype.slice.call(body)),
    mark: (id, item) => ({ boot: boots.observe(id, item), seq: item.seq }),
  };
}

/**
 * How the general journal is stored: the LO record encoding.
 *
 * @example
 * const codec: RecordCodec<GeneralItem> = GENERAL_CODEC;
 */
export const GENERAL_CODEC: RecordCodec<GeneralItem> = Object.freeze({
  encode: (item: GeneralItem) => ({ timestampNs: item.timestampNs, body: encodeGeneral(0n, item) }),
  decode: (_id: bigint, _ts: bigint, body: Uint8Array): GeneralItem => {
    const r = decodeLogRecord(Uint8Array.prototype.slice.call(body));
    return { level: r.level, scope: r.scope, msg: r.msg, fields: r.fields, timestampNs: r.timestampNs, serviceId: r.serviceId };
  },
});
