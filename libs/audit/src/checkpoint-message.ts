import { FrameReader, FrameWriter, IpcError } from '@nexus/ipc';
import { AuditError } from './audit-error.js';
import { fromHex, toHex } from './hex.js';

/**
 * Everything a checkpoint signature covers (the fields of a `checkpoint` record's payload plus the
 * record's `timestampNs` and `policyVersion`).
 *
 * @example
 * const claim: CheckpointClaim = { bootId, headSeq: 64n, headHash, timestampNs, policyVersion, dropped: 0n,
 *   prevSealedSeq: 0n, prevSealedHash: new Uint8Array(32), keyId };
 */
export interface CheckpointClaim {
  /** 16 random bytes drawn once per boot: a seal of one boot never vouches for another. */
  readonly bootId: Uint8Array;
  /** The last record covered, and its hash. */
  readonly headSeq: bigint;
  readonly headHash: Uint8Array;
  /** Kernel time of the snapshot (also the checkpoint record's `timestampNs`). */
  readonly timestampNs: bigint;
  /** `sha256:<64 hex>` of the (immutable) policy. */
  readonly policyVersion: string;
  /** Records lost or evicted up to the snapshot (the sink's `lost + evicted`). */
  readonly dropped: bigint;
  /** Seq and record hash of the previous sealed checkpoint of this boot; 0 and zero bytes for the first. */
  readonly prevSealedSeq: bigint;
  readonly prevSealedHash: Uint8Array;
  /** SHA-256 of the sealing key's SPKI DER (`auditKeyId`). */
  readonly keyId: Uint8Array;
}

/**
 * The domain-separation prefix of every checkpoint message: ASCII `nexus-audit-checkpoint-v1`
 * and a NUL. No other message of the system starts with it, so a checkpoint signature can never be
 * mistaken for (or produced as) a signature over anything else.
 *
 * @example
 * new TextDecoder().decode(CHECKPOINT_DOMAIN); // 'nexus-audit-checkpoint-v1\0'
 */
export const CHECKPOINT_DOMAIN: Uint8Array = new TextEncoder().encode('nexus-audit-checkpoint-v1\0');

/**
 * Sizes of the checkpoint message, in bytes: 26 + 16 + 8 + 32 + 8 + 32 + 8 + 8 + 32 + 32 = 202.
 *
 * @example
 * CHECKPOINT_LIMITS.messageBytes; // 202
 */
export const CHECKPOINT_LIMITS: {
  readonly messageBytes: 202;
  readonly bootIdBytes: 16;
  readonly keyIdBytes: 32;
  readonly signatureBytes: 64;
} = Object.freeze({ messageBytes: 202, bootIdBytes: 16, keyIdBytes: 32, signatureBytes: 64 });

const VERSION = /^sha256:[0-9a-f]{64}$/;

function bytesOf(value: unknown, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) throw new AuditError('BAD_VALUE', `${what} must be ${length} bytes`);
  return value;
}

function u64(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || BigInt.asUintN(64, value) !== value) throw new AuditError('BAD_VALUE', `${what} must be a u64 bigint`);
  return value;
}

/**
 * Encodes the exact bytes a checkpoint signature covers. Fixed layout, little-endian, written with
 * `FrameWriter`: `CHECKPOINT_DOMAIN` (26) ‖ bootId (16) ‖ headSeq u64 ‖ headHash (32) ‖ timestampNs
 * u64 ‖ policyVersion digest (32) ‖ dropped u64 ‖ prevSealedSeq u64 ‖ prevSealedHash (32) ‖ keyId (32).
 * A bad field throws `AuditError('BAD_VALUE')`.
 *
 * @example
 * encodeCheckpointMessage(claim).byteLength; // 202
 */
export function encodeCheckpointMessage(c: CheckpointClaim): Uint8Array {
  if (typeof c.policyVersion !== 'string' || !VERSION.test(c.policyVersion)) {
    throw new AuditError('BAD_VALUE', 'policyVersion must be sha256:<64 lowercase hex>');
  }
  return new FrameWriter(CHECKPOINT_LIMITS.messageBytes)
    .bytes(CHECKPOINT_DOMAIN)
    .bytes(bytesOf(c.bootId, CHECKPOINT_LIMITS.bootIdBytes, 'bootId'))
    .u64(u64(c.headSeq, 'headSeq'))
    .bytes(bytesOf(c.headHash, 32, 'headHash'))
    .u64(u64(c.timestampNs, 'timestampNs'))
    .bytes(fromHex(c.policyVersion.slice('sha256:'.length), 32, 'policyVersion'))
    .u64(u64(c.dropped, 'dropped'))
    .u64(u64(c.prevSealedSeq, 'prevSealedSeq'))
    .bytes(bytesOf(c.prevSealedHash, 32, 'prevSealedHash'))
    .bytes(bytesOf(c.keyId, CHECKPOINT_LIMITS.keyIdBytes, 'keyId'))
    .finish();
}

/**
 * Decodes a checkpoint message: exactly 202 bytes starting with `CHECKPOINT_DOMAIN`; anything else
 * is `AuditError('MALFORMED')`.
 *
 * @example
 * decodeCheckpointMessage(encodeCheckpointMessage(claim)); // deep-equals claim
 */
export function decodeCheckpointMessage(bytes: Uint8Array): CheckpointClaim {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== CHECKPOINT_LIMITS.messageBytes) {
    throw new AuditError('MALFORMED', `a checkpoint message is ${CHECKPOINT_LIMITS.messageBytes} bytes`);
  }
  try {
    const r = new FrameReader(bytes);
    const domain = r.bytes(CHECKPOINT_DOMAIN.byteLength);
    if (domain.some((b, i) => b !== CHECKPOINT_DOMAIN[i])) throw new AuditError('MALFORMED', 'not a checkpoint message (domain prefix)');
    const claim: CheckpointClaim = {
      bootId: r.bytes(CHECKPOINT_LIMITS.bootIdBytes),
      headSeq: r.u64(),
      headHash: r.bytes(32),
      timestampNs: r.u64(),
      policyVersion: `sha256:${toHex(r.bytes(32))}`,
      dropped: r.u64(),
      prevSealedSeq: r.u64(),
      prevSealedHash: r.bytes(32),
      keyId: r.bytes(CHECKPOINT_LIMITS.keyIdBytes),
    };
    r.end();
    return claim;
  } catch (cause) {
    if (cause instanceof IpcError) throw new AuditError('MALFORMED', cause.message, { cause });
    throw cause;
  }
}
