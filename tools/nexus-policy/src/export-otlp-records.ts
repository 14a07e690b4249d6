import { formatRecordLine, type AuditRecord } from '@nexus/audit';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { hexU64 as formatServiceId } from '@nexus/ipc';
import { TOOL_VERSION } from './tool-version.js';

/** Where the exported records came from: the device and boot, as OTLP resource attributes. */
export interface OtlpSource {
  /** The device's id, as given (`--device`). */
  readonly device: string;
  /** The boot's id (32 hex digits, from the journal's first checkpoint), when known. */
  readonly bootId: string | undefined;
  /** Names kernel ids (the policy's `nameOf`), for `nexus.audit.subject.name`. */
  readonly nameOf?: (id: bigint) => string | undefined;
}

/**
 * The attribute keys of one exported record; every field of the record has one.
 *
 * @example
 * log.attributes[OTLP_ATTRIBUTES.hash]; // '9f2c…' (the record's hash, hex)
 */
export const OTLP_ATTRIBUTES: {
  readonly kind: string; readonly seq: string; readonly timestampNs: string; readonly op: string;
  readonly subjectId: string; readonly subjectName: string; readonly senderId: string; readonly claimedId: string;
  readonly action: string; readonly target: string; readonly decision: string; readonly reason: string; readonly rule: string;
  readonly policyVersion: string; readonly nonce: string; readonly prevHash: string; readonly hash: string;
  readonly lost: string; readonly sink: string; readonly checkpointHeadSeq: string; readonly checkpointSealed: string;
} = Object.freeze({
  kind: 'nexus.audit.kind', seq: 'nexus.audit.seq', timestampNs: 'nexus.audit.timestamp_ns', op: 'nexus.audit.op',
  subjectId: 'nexus.audit.subject.id', subjectName: 'nexus.audit.subject.name', senderId: 'nexus.audit.sender.id', claimedId: 'nexus.audit.claimed.id',
  action: 'nexus.audit.action', target: 'nexus.audit.target', decision: 'nexus.audit.decision', reason: 'nexus.audit.reason', rule: 'nexus.audit.rule',
  policyVersion: 'nexus.audit.policy_version', nonce: 'nexus.audit.nonce', prevHash: 'nexus.audit.prev_hash', hash: 'nexus.audit.hash',
  lost: 'nexus.audit.lost', sink: 'nexus.audit.sink', checkpointHeadSeq: 'nexus.audit.checkpoint.head_seq', checkpointSealed: 'nexus.audit.checkpoint.sealed',
});

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * The OTLP attributes of one audit record. Ids are `0x` + 16 hex digits (as `audit show` prints
 * them), hashes lowercase hex, seq an int, and the u64 fields that may exceed 2^53 decimal strings, so
 * nothing is rounded on the way to a SIEM.
 *
 * @example
 * recordAttributes(record, source)['nexus.audit.decision']; // 'deny'
 */
export function recordAttributes(r: AuditRecord, source: OtlpSource): Record<string, string | number | boolean> {
  const a = OTLP_ATTRIBUTES;
  const out: Record<string, string | number | boolean> = {
    [a.kind]: r.kind,
    [a.seq]: r.seq <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r.seq) : r.seq.toString(),
    [a.timestampNs]: r.timestampNs.toString(),
    [a.op]: r.op,
    [a.subjectId]: formatServiceId(r.subjectId),
    [a.senderId]: formatServiceId(r.senderId),
    [a.action]: r.action,
    [a.decision]: r.decision,
    [a.reason]: r.reason,
    [a.policyVersion]: r.policyVersion,
    [a.prevHash]: hex(r.prevHash),
    [a.hash]: hex(r.hash),
  };
  const name = r.kind === 'decision' ? source.nameOf?.(r.subjectId) : undefined;
  if (name !== undefined) out[a.subjectName] = name;
  if (r.claimedId !== undefined) out[a.claimedId] = formatServiceId(r.claimedId);
  if (r.target !== undefined) out[a.target] = r.target;
  if (r.rule !== undefined) out[a.rule] = r.rule;
  if (r.nonce !== undefined) out[a.nonce] = formatServiceId(r.nonce);
  if (r.lost !== undefined) out[a.lost] = `${r.lost.fromSeq}..${r.lost.toSeq} (${r.lost.count} records, ${r.lost.decisions} decisions)`;
  if (r.sink !== undefined) out[a.sink] = r.sink;
  if (r.checkpoint !== undefined) {
    out[a.checkpointHeadSeq] = r.checkpoint.headSeq.toString();
    out[a.checkpointSealed] = r.checkpoint.signature !== undefined;
  }
  return out;
}

function severityOf(r: AuditRecord): { number: SeverityNumber; text: string } {
  if (r.kind === 'audit-lost' || r.kind === 'audit-evicted') return { number: SeverityNumber.ERROR, text: 'ERROR' };
  if (r.kind === 'sink-switch' || (r.kind === 'decision' && r.decision === 'deny')) return { number: SeverityNumber.WARN, text: 'WARN' };
  return { number: SeverityNumber.INFO, text: 'INFO' };
}

/**
 * Audit records as OpenTelemetry log records, made by the OpenTelemetry logs SDK (a
 * `LoggerProvider` with the device and boot as resource, each record emitted once). The body is the
 * record's canonical journal line (`formatRecordLine`), so the SIEM copy can be re-assembled into a
 * journal and verified with `audit verify`; the attributes carry every field for queries. The time is
 * the record's `timestampNs` as the device keeps it (boot-relative: the device has no wall clock);
 * the observed time is the export's.
 *
 * @example
 * const logs = toOtlpLogRecords(records, { device: 'dev-1', bootId: undefined });
 * logs[0]?.attributes['nexus.audit.seq']; // 1
 */
export function toOtlpLogRecords(records: readonly AuditRecord[], source: OtlpSource): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  const resource = resourceFromAttributes({
    'service.namespace': 'nexus',
    'service.name': 'policyd',
    'nexus.device.id': source.device,
    ...(source.bootId === undefined ? {} : { 'nexus.boot.id': source.bootId }),
  });
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('@nexus/policy-cli', TOOL_VERSION);
  // One observed time for the whole export: when the records left the journal.
  const observed = Date.now();
  for (const r of records) {
    const severity = severityOf(r);
    logger.emit({
      timestamp: [Number(r.timestampNs / 1_000_000_000n), Number(r.timestampNs % 1_000_000_000n)],
      observedTimestamp: observed,
      severityNumber: severity.number,
      severityText: severity.text,
      eventName: `nexus.audit.${r.kind}`,
      body: formatRecordLine(r),
      attributes: recordAttributes(r, source),
    });
  }
  const logs = [...exporter.getFinishedLogRecords()];
  exporter.reset();
  return logs;
}

/**
 * One OTLP/JSON `ExportLogsServiceRequest` (the OpenTelemetry serializer's bytes, as text).
 *
 * @example
 * JSON.parse(otlpJsonRequest(logs)).resourceLogs[0].scopeLogs[0].logRecords.length; // logs.length
 */
export function otlpJsonRequest(logs: readonly ReadableLogRecord[]): string {
  return new TextDecoder().decode(JsonLogsSerializer.serializeRequest([...logs]));
}
