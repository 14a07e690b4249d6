import { AuditError } from './audit-error.js';
import { AUDIT_LIMITS, type AuditKind, type AuditLost, type AuditOp, type AuditReason, type AuditRecord, type AuditShadow, type AuditSinkName } from './audit-record.js';
import { CHECKPOINT_LIMITS, decodeCheckpointMessage } from './checkpoint-message.js';
import { checkpointPayload } from './decode-record.js';
import { formatRecordLine } from './format-record-line.js';
import { fromHex } from './hex.js';

const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const ID = /^0x[0-9a-f]{16}$/;
const KEYS = new Set([
  'op', 'decision', 'subject', 'target', 'reason', 'seq', 'ts', 'sender', 'claimed', 'kind', 'action',
  'tname', 'rule', 'ver', 'nonce', 'mode', 'shadow', 'lost', 'sink', 'cp', 'sig', 'prev', 'hash',
]);

function malformed(message: string): never {
  throw new AuditError('MALFORMED', message);
}

function decimal(text: string, what: string): bigint {
  if (!DECIMAL.test(text)) malformed(`${what} must be a decimal u64`);
  return BigInt(text);
}

function id(text: string, what: string): bigint {
  if (!ID.test(text)) malformed(`${what} must be 0x<16 lowercase hex>`);
  return BigInt(text);
}

function str(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch (cause) {
    throw new AuditError('MALFORMED', `${what} is not valid percent-encoding`, { cause });
  }
}

function member<T extends string>(set: readonly T[], text: string, what: string): T {
  if (!set.includes(text as T)) malformed(`${what} is not in its closed set`);
  return text as T;
}

function shadowOf(text: string): AuditShadow {
  const parts = text.split(':');
  if (parts.length !== 3) malformed('shadow must be decision:reason:versionHex');
  const [decision = '', reason = '', version = ''] = parts;
  if (!/^[0-9a-f]{64}$/.test(version)) malformed('shadow version must be 64 lowercase hex');
  return {
    decision: member(['allow', 'deny'] as const, decision, 'shadow.decision'),
    reason: member<AuditReason>(AUDIT_LIMITS.reasons, reason, 'shadow.reason'),
    policyVersion: `sha256:${version}`,
  };
}

function lostRange(text: string): AuditLost {
  const parts = text.split(':');
  if (parts.length !== 6) malformed('lost must be from:to:count:decisions:beforeHash:lastHash');
  const [from = '', to = '', count = '', decisions = '', before = '', last = ''] = parts;
  return {
    fromSeq: decimal(from, 'lost.fromSeq'),
    toSeq: decimal(to, 'lost.toSeq'),
    count: decimal(count, 'lost.count'),
    decisions: decimal(decisions, 'lost.decisions'),
    beforeHash: fromHex(before, 32, 'lost.beforeHash'),
    lastHash: fromHex(last, 32, 'lost.lastHash'),
  };
}

/**
 * Parses a line written by `formatRecordLine`. The line is bounded (2048 chars), every key is known
 * and appears once, every value is checked, and the line must be exactly the canonical form of the
 * record it yields (so two different lines never parse to the same record). Throws only
 * `AuditError`. The `target=0x…` prefix field must match `tname`.
 *
 * @example
 * parseRecordLine(formatRecordLine(record)); // deep-equals record
 */
export function parseRecordLine(line: string): AuditRecord {
  if (typeof line !== 'string') malformed('line must be a string');
  if (line.length > AUDIT_LIMITS.maxLineChars) {
    throw new AuditError('TOO_LARGE', `line exceeds ${AUDIT_LIMITS.maxLineChars} characters`);
  }
  const tokens = line.split(' ');
  if (tokens[0] !== 'audit' || tokens[1] !== `v${AUDIT_LIMITS.version}`) {
    if (tokens[0] === 'audit' && /^v[0-9]+$/.test(tokens[1] ?? '')) {
      throw new AuditError('UNSUPPORTED', `line version ${tokens[1]}`);
    }
    malformed(`line must start with "audit v${AUDIT_LIMITS.version}"`);
  }
  const f = new Map<string, string>();
  for (const token of tokens.slice(2)) {
    const at = token.indexOf('=');
    const key = token.slice(0, at);
    if (at < 1 || !KEYS.has(key) || f.has(key)) malformed('unknown, repeated or empty key');
    f.set(key, token.slice(at + 1));
  }
  const need = (key: string): string => f.get(key) ?? malformed(`missing ${key}=`);
  const optional = <T>(key: string, parse: (text: string, what: string) => T): T | undefined => {
    const text = f.get(key);
    return text === undefined ? undefined : parse(text, key);
  };
  const version = need('ver');
  const claimedId = optional('claimed', id);
  const target = optional('tname', str);
  const rule = optional('rule', str);
  const nonce = optional('nonce', id);
  const mode = optional('mode', (t, w) => member(['learn'] as const, t, w));
  const shadow = optional('shadow', shadowOf);
  const lost = optional('lost', lostRange);
  const sink = optional('sink', (t, w) => member<AuditSinkName>(AUDIT_LIMITS.sinks, t, w));
  const claim = optional('cp', (t, w) => decodeCheckpointMessage(fromHex(t, CHECKPOINT_LIMITS.messageBytes, w)));
  const signature = optional('sig', (t, w) => fromHex(t, CHECKPOINT_LIMITS.signatureBytes, w));
  if (signature !== undefined && claim === undefined) malformed('sig= without cp=');
  if (claim !== undefined && (claim.timestampNs !== decimal(need('ts'), 'ts') || claim.policyVersion !== version)) {
    malformed('cp= differs from its record (timestamp or policy version)');
  }
  const checkpoint = claim === undefined ? undefined : checkpointPayload(claim, signature);
  const record: AuditRecord = {
    kind: member<AuditKind>(AUDIT_LIMITS.kinds, need('kind'), 'kind'),
    seq: decimal(need('seq'), 'seq'),
    timestampNs: decimal(need('ts'), 'ts'),
    subjectId: id(need('subject'), 'subject'),
    senderId: id(need('sender'), 'sender'),
    ...(claimedId === undefined ? {} : { claimedId }),
    op: member<AuditOp>(AUDIT_LIMITS.ops, need('op'), 'op'),
    action: str(need('action'), 'action'),
    ...(target === undefined ? {} : { target }),
    decision: member(['allow', 'deny'] as const, need('decision'), 'decision'),
    reason: member<AuditReason>(AUDIT_LIMITS.reasons, need('reason'), 'reason'),
    ...(rule === undefined ? {} : { rule }),
    policyVersion: version,
    ...(nonce === undefined ? {} : { nonce }),
    ...(lost === undefined ? {} : { lost }),
    ...(sink === undefined ? {} : { sink }),
    ...(checkpoint === undefined ? {} : { checkpoint }),
    ...(mode === undefined ? {} : { mode }),
    ...(shadow === undefined ? {} : { shadow }),
    prevHash: fromHex(need('prev'), 32, 'prev'),
    hash: fromHex(need('hash'), 32, 'hash'),
  };
  // Validates every field (BAD_VALUE) and rejects any non-canonical spelling of the same record.
  if (formatRecordLine(record) !== line) malformed('line is not the canonical form of its record');
  return record;
}
