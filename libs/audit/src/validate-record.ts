import { AuditError } from './audit-error.js';
import { AUDIT_LIMITS, type AuditCheckpoint, type AuditInput, type AuditLost, type AuditRecord } from './audit-record.js';
import { CHECKPOINT_LIMITS } from './checkpoint-message.js';
import { utf8Bytes } from './utf8-bytes.js';

const VERSION = /^sha256:[0-9a-f]{64}$/;
// One policy is live per boot: its version passes the pattern once, then compares equal.
let checkedVersion = '';

/**
 * A record before its hash is known: what `hashRecord` covers.
 *
 * @example
 * const unsealed: UnsealedRecord = { ...record, hash: undefined }; hashRecord(unsealed.prevHash, unsealed);
 */
export type UnsealedRecord = Omit<AuditRecord, 'hash'> & { readonly hash?: Uint8Array };

function fail(message: string): never {
  throw new AuditError('BAD_VALUE', message);
}

function u64(value: unknown, what: string): void {
  if (typeof value !== 'bigint' || BigInt.asUintN(64, value) !== value) fail(`${what} must be a u64 bigint`);
}

function text(value: unknown, max: number, what: string): void {
  if (typeof value !== 'string') fail(`${what} must be a well-formed string`);
  if (value.length > max) fail(`${what} exceeds ${max} bytes`);
  const bytes = utf8Bytes(value);
  if (bytes === undefined) fail(`${what} must be a well-formed string`);
  if (bytes.length > max) fail(`${what} exceeds ${max} bytes`);
}

function hash32(value: unknown, what: string): void {
  // `length` equals `byteLength` on a Uint8Array and costs a fraction of it on Node 20.
  if (!(value instanceof Uint8Array) || value.length !== 32) fail(`${what} must be 32 bytes`);
}

const OPS: ReadonlySet<unknown> = new Set(AUDIT_LIMITS.ops);
const REASONS: ReadonlySet<unknown> = new Set(AUDIT_LIMITS.reasons);
const KINDS: ReadonlySet<unknown> = new Set(AUDIT_LIMITS.kinds);
const SINKS: ReadonlySet<unknown> = new Set(AUDIT_LIMITS.sinks);

function oneOf(value: unknown, set: ReadonlySet<unknown>, what: string): void {
  if (!set.has(value)) fail(`${what} is not in its closed set`);
}

/**
 * Checks the fields of a decision input: u64 ranges, byte bounds, closed sets, the version format,
 * and that `allow` goes with reason `policy-allow` and nothing else. Throws `AuditError('BAD_VALUE')`.
 *
 * @example
 * validateInput({ ...input, action: 'x'.repeat(49) }); // throws BAD_VALUE
 */
export function validateInput(r: AuditInput): void {
  u64(r.timestampNs, 'timestampNs');
  u64(r.subjectId, 'subjectId');
  u64(r.senderId, 'senderId');
  if (r.claimedId !== undefined) u64(r.claimedId, 'claimedId');
  if (r.nonce !== undefined) u64(r.nonce, 'nonce');
  oneOf(r.op, OPS, 'op');
  oneOf(r.reason, REASONS, 'reason');
  if (r.decision !== 'allow' && r.decision !== 'deny') fail('decision must be allow or deny');
  text(r.action, AUDIT_LIMITS.maxAction, 'action');
  if (r.target !== undefined) text(r.target, AUDIT_LIMITS.maxTarget, 'target');
  if (r.rule !== undefined) text(r.rule, AUDIT_LIMITS.maxRule, 'rule');
  if (r.policyVersion !== checkedVersion) {
    if (typeof r.policyVersion !== 'string' || !VERSION.test(r.policyVersion)) {
      fail('policyVersion must be sha256:<64 lowercase hex>');
    }
    checkedVersion = r.policyVersion;
  }
  if ((r.decision === 'allow') !== (r.reason === 'policy-allow')) fail('allow goes with reason policy-allow only');
  if (r.mode !== undefined && r.mode !== 'learn') fail('mode is learn or absent (enforce)');
  if (r.shadow !== undefined) validateShadow(r.shadow);
}

const SHADOW_REASONS: ReadonlySet<unknown> = new Set(['policy-allow', 'no-rule', 'deny-rule', 'identity-mismatch', 'malformed']);

function validateShadow(s: unknown): void {
  if (typeof s !== 'object' || s === null) fail('shadow must be { decision, reason, policyVersion }');
  const { decision, reason, policyVersion } = s as Record<string, unknown>;
  if (decision !== 'allow' && decision !== 'deny') fail('shadow.decision must be allow or deny');
  oneOf(reason, SHADOW_REASONS, 'shadow.reason');
  if ((decision === 'allow') !== (reason === 'policy-allow')) fail('shadow allow goes with reason policy-allow only');
  if (typeof policyVersion !== 'string' || !VERSION.test(policyVersion)) fail('shadow.policyVersion must be sha256:<64 lowercase hex>');
}

function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function bytesN(value: unknown, length: number, what: string): void {
  if (!(value instanceof Uint8Array) || value.length !== length) fail(`${what} must be ${length} bytes`);
}

/**
 * Checks every field of a record (hash optional) and the rules that tie fields to the kind: a
 * decision has a real op and reason and no control payload; a control record has op `none`,
 * reason `none`, decision `deny`, ids 0, action '' and exactly its own payload: a run (`lost`, on
 * `audit-lost` and `audit-evicted`) with `1 ≤ fromSeq ≤ toSeq < seq`, `count = toSeq − fromSeq + 1`,
 * `decisions ≤ count` and a zero `beforeHash` when `fromSeq` is 1; a `sink`; or a `checkpoint` with
 * `1 ≤ headSeq < seq`, `prevSealedSeq ≤ headSeq` (0 exactly with a zero `prevSealedHash`) and a
 * 64-byte signature or none.
 *
 * @example
 * validateRecord(record); // returns nothing, or throws AuditError('BAD_VALUE')
 */
export function validateRecord(r: UnsealedRecord): void {
  validateInput(r);
  u64(r.seq, 'seq');
  if (r.seq === 0n) fail('seq starts at 1');
  hash32(r.prevHash, 'prevHash');
  if (r.hash !== undefined) hash32(r.hash, 'hash');
  oneOf(r.kind, KINDS, 'kind');
  if (r.kind === 'decision') {
    if (r.op === 'none' || r.reason === 'none') fail('a decision needs a real op and reason');
    if (r.lost !== undefined || r.sink !== undefined || r.checkpoint !== undefined) fail('a decision carries no control payload');
    return;
  }
  const control =
    r.op === 'none' && r.reason === 'none' && r.decision === 'deny' && r.action === '' &&
    r.subjectId === 0n && r.senderId === 0n && r.claimedId === undefined && r.target === undefined &&
    r.rule === undefined && r.nonce === undefined && r.mode === undefined && r.shadow === undefined;
  if (!control) fail(`a ${r.kind} record carries only its control payload`);
  const payloads = (r.lost === undefined ? 0 : 1) + (r.sink === undefined ? 0 : 1) + (r.checkpoint === undefined ? 0 : 1);
  if (r.kind === 'sink-switch') {
    if (payloads !== 1) fail('a sink-switch carries exactly a sink');
    oneOf(r.sink, SINKS, 'sink');
    return;
  }
  if (r.kind === 'checkpoint') {
    if (payloads !== 1 || r.checkpoint === undefined) fail('a checkpoint record carries exactly a checkpoint');
    validateCheckpointPayload(r.checkpoint, r.seq);
    return;
  }
  if (payloads !== 1 || r.lost === undefined) fail(`an ${r.kind} record carries exactly a run`);
  validateRun(r.lost, r.seq);
}

function validateRun(lost: AuditLost, seq: bigint): void {
  const { fromSeq, toSeq, count, decisions } = lost;
  for (const [value, what] of [[fromSeq, 'lost.fromSeq'], [toSeq, 'lost.toSeq'], [count, 'lost.count'], [decisions, 'lost.decisions']] as const) {
    u64(value, what);
  }
  hash32(lost.beforeHash, 'lost.beforeHash');
  hash32(lost.lastHash, 'lost.lastHash');
  if (fromSeq < 1n || fromSeq > toSeq || toSeq >= seq) fail('lost range must satisfy 1 ≤ fromSeq ≤ toSeq < seq');
  if (count !== toSeq - fromSeq + 1n) fail('lost count must equal toSeq − fromSeq + 1 (a run is contiguous)');
  if (decisions > count) fail('lost decisions exceed the count');
  if (fromSeq === 1n && !isZero(lost.beforeHash)) fail('a run from seq 1 has a zero beforeHash');
}

function validateCheckpointPayload(c: AuditCheckpoint, seq: bigint): void {
  bytesN(c.bootId, CHECKPOINT_LIMITS.bootIdBytes, 'checkpoint.bootId');
  bytesN(c.keyId, CHECKPOINT_LIMITS.keyIdBytes, 'checkpoint.keyId');
  hash32(c.headHash, 'checkpoint.headHash');
  hash32(c.prevSealedHash, 'checkpoint.prevSealedHash');
  u64(c.headSeq, 'checkpoint.headSeq');
  u64(c.dropped, 'checkpoint.dropped');
  u64(c.prevSealedSeq, 'checkpoint.prevSealedSeq');
  if (c.headSeq < 1n || c.headSeq >= seq) fail('checkpoint head must satisfy 1 ≤ headSeq < seq');
  if (c.prevSealedSeq > c.headSeq) fail('the previous sealed checkpoint lies within the head');
  if ((c.prevSealedSeq === 0n) !== isZero(c.prevSealedHash)) fail('prevSealedSeq is 0 exactly with a zero prevSealedHash');
  if (c.signature !== undefined) bytesN(c.signature, CHECKPOINT_LIMITS.signatureBytes, 'checkpoint.signature');
}
