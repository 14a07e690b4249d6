/**
 * What a record is: one decision, a declaration of records recorded nowhere (`audit-lost`), a
 * change of sink, a checkpoint (signed or not), or a declaration of records the primary store held
 * and no longer holds (`audit-evicted`).
 *
 * @example
 * const kind: AuditKind = record.kind; // 'decision'
 */
export type AuditKind = 'decision' | 'audit-lost' | 'sink-switch' | 'checkpoint' | 'audit-evicted';

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
 * A decision of a shadow (candidate) policy next to the active one: what the candidate would have
 * answered, why, and its version. Recorded only where it differs from the active decision; it
 * never changes the answer.
 *
 * @example
 * const shadow: AuditShadow = { decision: 'deny', reason: 'no-rule', policyVersion: candidate.version };
 */
export interface AuditShadow {
  readonly decision: 'allow' | 'deny';
  /** A policy reason: `policy-allow` (exactly with allow), `no-rule`, `deny-rule`, `identity-mismatch`, `malformed`. */
  readonly reason: AuditReason;
  /** `sha256:<64 lowercase hex>` of the candidate policy. */
  readonly policyVersion: string;
}

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
  /**
   * `learn` when the subject is in learn mode (absent: enforce). The record's decision and reason
   * are the computed ones; a learn-mode `deny`/`no-rule` record is a would-deny, answered ALLOW.
   */
  readonly mode?: 'learn';
  /** The shadow policy's decision, present only where it differs from this one. */
  readonly shadow?: AuditShadow;
}

/**
 * One contiguous run of missing records, as an `audit-lost` or `audit-evicted` record declares it:
 * every seq of `fromSeq..toSeq` is missing (`count === toSeq - fromSeq + 1`, `decisions` of them
 * decision records). The run is bridged into the chain: `beforeHash` is the hash of the record at
 * `fromSeq - 1` (32 zero bytes when `fromSeq` is 1), the last record before the gap, and `lastHash`
 * the hash of the record at `toSeq`, the last record in it. A verifier requires the records before
 * the gap to end on `beforeHash` and the record after it to link to `lastHash`.
 *
 * @example
 * const lost: AuditLost = { fromSeq: 3n, toSeq: 5n, count: 3n, decisions: 2n, beforeHash, lastHash };
 */
export interface AuditLost {
  readonly fromSeq: bigint;
  readonly toSeq: bigint;
  readonly count: bigint;
  readonly decisions: bigint;
  readonly beforeHash: Uint8Array;
  readonly lastHash: Uint8Array;
}

/**
 * The payload of a `checkpoint` record: what its signed message commits to besides the record's own
 * `timestampNs` and `policyVersion` (layout in `encodeCheckpointMessage`). `headSeq`/`headHash`: the
 * last record the checkpoint covers; `dropped`: records lost or evicted by then (the sink's
 * counters); `prevSealedSeq`/`prevSealedHash`: seq and record hash of the previous SEALED checkpoint
 * of this boot (0 and 32 zero bytes for the first); `keyId`: SHA-256 of the sealing key's SPKI DER;
 * `signature`: Ed25519 over the message, absent when the checkpoint could not be sealed.
 *
 * @example
 * const payload: AuditCheckpoint = record.checkpoint!; payload.signature === undefined; // an unsealed checkpoint
 */
export interface AuditCheckpoint {
  readonly bootId: Uint8Array;
  readonly headSeq: bigint;
  readonly headHash: Uint8Array;
  readonly dropped: bigint;
  readonly prevSealedSeq: bigint;
  readonly prevSealedHash: Uint8Array;
  readonly keyId: Uint8Array;
  readonly signature?: Uint8Array;
}

/**
 * One chained audit record (v2). See libs/audit/README.md for the field table and encodings.
 *
 * @example
 * const record: AuditRecord = chain.append(input); // record.seq, record.hash
 */
export interface AuditRecord extends AuditInput {
  readonly kind: AuditKind;
  readonly seq: bigint;
  readonly prevHash: Uint8Array;
  readonly hash: Uint8Array;
  /** Present exactly on kinds `audit-lost` and `audit-evicted`. */
  readonly lost?: AuditLost;
  /** Present exactly on kind `sink-switch`: the sink records go to from now on. */
  readonly sink?: AuditSinkName;
  /** Present exactly on kind `checkpoint`. */
  readonly checkpoint?: AuditCheckpoint;
}

/**
 * A control record to chain: a loss or eviction declaration, a sink switch or a checkpoint.
 *
 * @example
 * chain.append({ kind: 'sink-switch', timestampNs: now, sink: 'uart' } satisfies AuditControl);
 */
export type AuditControl =
  | { readonly kind: 'audit-lost' | 'audit-evicted'; readonly timestampNs: bigint; readonly lost: AuditLost }
  | { readonly kind: 'sink-switch'; readonly timestampNs: bigint; readonly sink: AuditSinkName }
  | { readonly kind: 'checkpoint'; readonly timestampNs: bigint; readonly checkpoint: AuditCheckpoint };

/**
 * Bounds and closed sets of record v2, in wire order (the index of a value is its byte).
 *
 * @example
 * AUDIT_LIMITS.ops.indexOf('route'); // 2
 */
export const AUDIT_LIMITS: {
  readonly version: 2;
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
  version: 2,
  maxRecordBytes: 512,
  maxLineChars: 2048,
  maxAction: 48,
  maxTarget: 64,
  maxRule: 128,
  kinds: Object.freeze(['decision', 'audit-lost', 'sink-switch', 'checkpoint', 'audit-evicted'] as const),
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
