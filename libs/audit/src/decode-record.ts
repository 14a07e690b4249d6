import { FrameReader, IpcError } from '@nexus/ipc';
import { AuditError } from './audit-error.js';
import { AUDIT_LIMITS, type AuditCheckpoint, type AuditLost, type AuditRecord, type AuditShadow } from './audit-record.js';
import { CHECKPOINT_LIMITS, decodeCheckpointMessage, type CheckpointClaim } from './checkpoint-message.js';
import { EXT, FLAG, OP_EXTENDED } from './encode-record.js';
import { toHex } from './hex.js';
import { validateRecord } from './validate-record.js';

const KNOWN_FLAGS = Object.values(FLAG).reduce((a, b) => a | b, 0);

function pick<T>(set: readonly T[], index: number, what: string): T {
  const value = set[index];
  if (value === undefined) throw new AuditError('BAD_VALUE', `${what} byte ${index} is not in its closed set`);
  return value;
}

/**
 * Decodes a binary v2 record (see `encodeRecord`). Checks the size bound, the version, every
 * field (bounds, closed sets, kind rules) and the exact length; throws only `AuditError`. The hash
 * is not checked against the content here: that is `verifyChain`'s job.
 *
 * @example
 * decodeRecord(encodeRecord(record)); // deep-equals record
 */
export function decodeRecord(bytes: Uint8Array): AuditRecord {
  if (!(bytes instanceof Uint8Array)) throw new AuditError('MALFORMED', 'record must be a Uint8Array');
  if (bytes.byteLength > AUDIT_LIMITS.maxRecordBytes) {
    throw new AuditError('TOO_LARGE', `record of ${bytes.byteLength} bytes exceeds ${AUDIT_LIMITS.maxRecordBytes}`);
  }
  if (bytes.byteLength === 0) throw new AuditError('MALFORMED', 'empty record');
  if (bytes[0] !== AUDIT_LIMITS.version) throw new AuditError('UNSUPPORTED', `record version ${bytes[0]}`);
  let record: AuditRecord;
  try {
    record = read(new FrameReader(bytes));
  } catch (cause) {
    if (cause instanceof IpcError) throw new AuditError('MALFORMED', cause.message, { cause });
    throw cause;
  }
  validateRecord(record);
  return record;
}

/** @internal The record payload of a decoded checkpoint message (the record holds ts and version itself). */
export function checkpointPayload(claim: CheckpointClaim, signature: Uint8Array | undefined): AuditCheckpoint {
  const { bootId, headSeq, headHash, dropped, prevSealedSeq, prevSealedHash, keyId } = claim;
  return { bootId, headSeq, headHash, dropped, prevSealedSeq, prevSealedHash, keyId, ...(signature === undefined ? {} : { signature }) };
}

function read(r: FrameReader): AuditRecord {
  r.u8();
  const kind = pick(AUDIT_LIMITS.kinds, r.u8(), 'kind');
  const flags = r.u8();
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new AuditError('BAD_VALUE', `unknown flag bits 0x${flags.toString(16)}`);
  const opByte = r.u8();
  const op = pick(AUDIT_LIMITS.ops, opByte & ~OP_EXTENDED, 'op');
  const decision = pick(['allow', 'deny'] as const, r.u8(), 'decision');
  const reason = pick(AUDIT_LIMITS.reasons, r.u8(), 'reason');
  const seq = r.u64();
  const timestampNs = r.u64();
  const subjectId = r.u64();
  const senderId = r.u64();
  const claimedId = flags & FLAG.claimed ? r.u64() : undefined;
  const action = r.str8(AUDIT_LIMITS.maxAction);
  const target = flags & FLAG.target ? r.str8(AUDIT_LIMITS.maxTarget) : undefined;
  const rule = flags & FLAG.rule ? r.str8(AUDIT_LIMITS.maxRule) : undefined;
  const policyVersion = `sha256:${toHex(r.bytes(32))}`;
  const nonce = flags & FLAG.nonce ? r.u64() : undefined;
  let lost: AuditLost | undefined;
  if (flags & FLAG.lost) {
    lost = { fromSeq: r.u64(), toSeq: r.u64(), count: r.u64(), decisions: r.u64(), beforeHash: r.bytes(32), lastHash: r.bytes(32) };
  }
  const sink = flags & FLAG.sink ? pick(AUDIT_LIMITS.sinks, r.u8(), 'sink') : undefined;
  let checkpoint: AuditCheckpoint | undefined;
  if (flags & FLAG.checkpoint) {
    const claim = decodeCheckpointMessage(r.bytes(CHECKPOINT_LIMITS.messageBytes));
    if (claim.timestampNs !== timestampNs || claim.policyVersion !== policyVersion) {
      throw new AuditError('BAD_VALUE', 'the checkpoint message differs from its record (timestamp or policy version)');
    }
    checkpoint = checkpointPayload(claim, flags & FLAG.signature ? r.bytes(CHECKPOINT_LIMITS.signatureBytes) : undefined);
  } else if (flags & FLAG.signature) {
    throw new AuditError('BAD_VALUE', 'a signature without a checkpoint');
  }
  let mode: 'learn' | undefined;
  let shadow: AuditShadow | undefined;
  if (opByte & OP_EXTENDED) {
    const ext = r.u8();
    if (ext === 0 || (ext & ~(EXT.learn | EXT.shadow)) !== 0) throw new AuditError('BAD_VALUE', `extension byte 0x${ext.toString(16)} is empty or has unknown bits`);
    if (ext & EXT.learn) mode = 'learn';
    if (ext & EXT.shadow) {
      shadow = {
        decision: pick(['allow', 'deny'] as const, r.u8(), 'shadow.decision'),
        reason: pick(AUDIT_LIMITS.reasons, r.u8(), 'shadow.reason'),
        policyVersion: `sha256:${toHex(r.bytes(32))}`,
      };
    }
  }
  const prevHash = r.bytes(32);
  const hash = r.bytes(32);
  r.end();
  return {
    kind, seq, timestampNs, subjectId, senderId,
    ...(claimedId === undefined ? {} : { claimedId }),
    op, action,
    ...(target === undefined ? {} : { target }),
    decision, reason,
    ...(rule === undefined ? {} : { rule }),
    policyVersion,
    ...(nonce === undefined ? {} : { nonce }),
    ...(lost === undefined ? {} : { lost }),
    ...(sink === undefined ? {} : { sink }),
    ...(checkpoint === undefined ? {} : { checkpoint }),
    ...(mode === undefined ? {} : { mode }),
    ...(shadow === undefined ? {} : { shadow }),
    prevHash, hash,
  };
}
