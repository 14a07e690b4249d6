/**
 * What a record is: one decision, a declaration of lost records, or a change of sink.
 *
 * @example
 * const kind: AuditKind = record.kind; // 'decision'
 */
export type AuditKind = 'decision' | 'audit-lost' | 'sink-switch';

/**
 * The policyd operation decided; `none` only on control records.
 *
 * @example
 * const op: AuditOp = 'check_cap_delegated';
 */
export type AuditOp =
  | 'check'
  | 'route'
  | 'exec'
  | 'check_cap'
  | 'check_cap_delegated'
  | 'version'
  | 'unknown'
  | 'none';

/**
 * Why the decision came out as it did (closed set); `none` only on control records.
 *
 * @example
 * const reason: AuditReason = decision.allow ? 'policy-allow' : 'no-rule';
 */
export type AuditReason =
  | 'policy-allow'
  | 'no-rule'
  | 'deny-rule'
  | 'identity-mismatch'
  | 'malformed'
  | 'too-large'
  | 'unsupported'
  | 'audit-unavailable'
  | 'policy-unavailable'
  | 'none';

/**
 * Where records go: the primary store (logd) or the bounded console fallback.
 *
 * @example
 * const sink: AuditSinkName = sinkInstance.stats().sink; // 'primary'
 */
export type AuditSinkName = 'primary' | 'uart';

/**
 * What policyd hands the sink for one decision.
 *
 * @example
 * const input: AuditInput = { timestampNs: now, subjectId: msg.senderServiceId, senderId: msg.senderServiceId, op: 'check',
 *   action: 'ipc.core', decision: 'allow', reason: 'policy-allow', rule: 'base.toml:5', policyVersion: policy.version };
 */
export interface AuditInput {
  readonly timestampNs: bigint;
  readonly subjectId: bigint;
  readonly senderId: bigint;
  readonly claimedId?: bigint;
  readonly op: AuditOp;
  /** ≤ 48 UTF-8 bytes; '' when the request was too broken to name one. */
  readonly action: string;
  /** ≤ 64 UTF-8 bytes. */
  readonly target?: string;
  readonly decision: 'allow' | 'deny';
  readonly reason: AuditReason;
  /** `file:line` of the determining rule, ≤ 128 UTF-8 bytes. */
  readonly rule?: string;
  /** `sha256:<64 lowercase hex>`. */
  readonly policyVersion: string;
  readonly nonce?: bigint;
}

/**
 * The records an `audit-lost` record declares lost since the previous declaration: every missing
 * seq lies in `fromSeq..toSeq`, `count` of them are missing (`decisions` of which were decision
 * records) and `lastHash` is the hash of the record at `toSeq`.
 *
 * @example
 * const lost: AuditLost = { fromSeq: 3n, toSeq: 5n, count: 3n, decisions: 2n, lastHash };
 */
export interface AuditLost {
  readonly fromSeq: bigint;
  readonly toSeq: bigint;
  readonly count: bigint;
  readonly decisions: bigint;
  readonly lastHash: Uint8Array;
}

/**
 * One chained audit record (v1). See libs/audit/README.md for the field table and encodings.
 *
 * @example
 * const record: AuditRecord = chain.append(input); // record.seq, record.hash
 */
export interface AuditRecord extends AuditInput {
  readonly kind: AuditKind;
  readonly seq: bigint;
  readonly prevHash: Uint8Array;
  readonly hash: Uint8Array;
  /** Present exactly on kind `audit-lost`. */
  readonly lost?: AuditLost;
  /** Present exactly on kind `sink-switch`: the sink records go to from now on. */
  readonly sink?: AuditSinkName;
}

/**
 * A control record to chain: a loss declaration or a sink switch.
 *
 * @example
 * chain.append({ kind: 'sink-switch', timestampNs: now, sink: 'uart' } satisfies AuditControl);
 */
export type AuditControl =
  | { readonly kind: 'audit-lost'; readonly timestampNs: bigint; readonly lost: AuditLost }
  | { readonly kind: 'sink-switch'; readonly timestampNs: bigint; readonly sink: AuditSinkName };

/**
 * Bounds and closed sets of record v1, in wire order (the index of a value is its byte).
 *
 * @example
 * AUDIT_LIMITS.ops.indexOf('route'); // 2
 */
export const AUDIT_LIMITS: {
  readonly version: 1;
  readonly maxRecordBytes: 512;
  readonly maxLineChars: 2048;
  readonly maxAction: 48;
  readonly maxTarget: 64;
  readonly maxRule: 128;
  readonly kinds: readonly AuditKind[];
  readonly ops: readonly AuditOp[];
  readonly reasons: readonly AuditReason[];
  readonly sinks: readonly AuditSinkName[];
} = Object.freeze({
  version: 1,
  maxRecordBytes: 512,
  maxLineChars: 2048,
  maxAction: 48,
  maxTarget: 64,
  maxRule: 128,
  kinds: Object.freeze(['decision', 'audit-lost', 'sink-switch'] as const),
  ops: Object.freeze(['check', 'route', 'exec', 'check_cap', 'check_cap_delegated', 'version', 'unknown', 'none'] as const),
  reasons: Object.freeze([
    'policy-allow',
    'no-rule',
    'deny-rule',
    'identity-mismatch',
    'malformed',
    'too-large',
    'unsupported',
    'audit-unavailable',
    'policy-unavailable',
    'none',
  ] as const),
  sinks: Object.freeze(['primary', 'uart'] as const),
});
