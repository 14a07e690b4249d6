import { FrameWriter, IpcError } from '@nexus/ipc';
import { AuditError } from './audit-error.js';
import { AUDIT_LIMITS } from './audit-record.js';
import { encodeCheckpointMessage } from './checkpoint-message.js';
import { fromHex } from './hex.js';
import { utf8Bytes } from './utf8-bytes.js';
import { validateRecord, type UnsealedRecord } from './validate-record.js';
import { ZERO_HASH } from './zero-hash.js';

/** @internal Flag bits of byte 2: which optional fields follow. */
export const FLAG = Object.freeze({ claimed: 1, target: 2, rule: 4, nonce: 8, lost: 16, sink: 32, checkpoint: 64, signature: 128 });

/**
 * @internal Bit 7 of the op byte: an extension byte follows the optional fields (the flags byte is
 * full). Records without mode or shadow keep their exact v2 bytes, so their hashes do not change.
 */
export const OP_EXTENDED = 0x80;

/** @internal Bits of the extension byte; it is never 0 (then bit 7 of the op is clear). */
export const EXT = Object.freeze({ learn: 1, shadow: 2 });


// One policy is live per boot, so a one-entry cache saves a hex decode per record.
let versionText = '';
let versionBytes: Uint8Array = new Uint8Array(32);

function versionDigest(policyVersion: string): Uint8Array {
  if (policyVersion !== versionText) {
    versionBytes = fromHex(policyVersion.slice('sha256:'.length), 32, 'policyVersion');
    versionText = policyVersion;
  }
  return versionBytes;
}

/** The UTF-8 bytes of a string field already validated (well-formed); the writer checks the bound. */
function str(value: string): Uint8Array {
  const bytes = utf8Bytes(value);
  if (bytes === undefined) throw new AuditError('BAD_VALUE', 'string must be well-formed');
  return bytes;
}

/**
 * @internal Writes the body of an already validated record (everything `hashRecord` covers after
 * the previous hash) to `w`. Strings come from a shared UTF-8 cache, so no per-record encoding.
 */
export function writeBody(r: UnsealedRecord, w: FrameWriter): FrameWriter {
  const flags =
    (r.claimedId === undefined ? 0 : FLAG.claimed) |
    (r.target === undefined ? 0 : FLAG.target) |
    (r.rule === undefined ? 0 : FLAG.rule) |
    (r.nonce === undefined ? 0 : FLAG.nonce) |
    (r.lost === undefined ? 0 : FLAG.lost) |
    (r.sink === undefined ? 0 : FLAG.sink) |
    (r.checkpoint === undefined ? 0 : FLAG.checkpoint) |
    (r.checkpoint?.signature === undefined ? 0 : FLAG.signature);
  try {
    w.u8(AUDIT_LIMITS.version)
      .u8(AUDIT_LIMITS.kinds.indexOf(r.kind))
      .u8(flags)
      .u8(AUDIT_LIMITS.ops.indexOf(r.op) | (r.mode === undefined && r.shadow === undefined ? 0 : OP_EXTENDED))
      .u8(r.decision === 'allow' ? 0 : 1)
      .u8(AUDIT_LIMITS.reasons.indexOf(r.reason))
      .u64(r.seq)
      .u64(r.timestampNs)
      .u64(r.subjectId)
      .u64(r.senderId);
    if (r.claimedId !== undefined) w.u64(r.claimedId);
    w.bytes8(str(r.action), AUDIT_LIMITS.maxAction);
    if (r.target !== undefined) w.bytes8(str(r.target), AUDIT_LIMITS.maxTarget);
    if (r.rule !== undefined) w.bytes8(str(r.rule), AUDIT_LIMITS.maxRule);
    w.bytes(versionDigest(r.policyVersion));
    if (r.nonce !== undefined) w.u64(r.nonce);
    if (r.lost !== undefined) {
      const l = r.lost;
      w.u64(l.fromSeq).u64(l.toSeq).u64(l.count).u64(l.decisions).bytes(l.beforeHash).bytes(l.lastHash);
    }
    if (r.sink !== undefined) w.u8(AUDIT_LIMITS.sinks.indexOf(r.sink));
    if (r.checkpoint !== undefined) {
      // The exact signed bytes are part of the record, so the chain covers them and a line carries them.
      w.bytes(checkpointMessageOf(r));
      if (r.checkpoint.signature !== undefined) w.bytes(r.checkpoint.signature);
    }
    if (r.mode !== undefined || r.shadow !== undefined) {
      w.u8((r.mode === 'learn' ? EXT.learn : 0) | (r.shadow === undefined ? 0 : EXT.shadow));
      if (r.shadow !== undefined) {
        w.u8(r.shadow.decision === 'allow' ? 0 : 1).u8(AUDIT_LIMITS.reasons.indexOf(r.shadow.reason)).bytes(fromHex(r.shadow.policyVersion.slice('sha256:'.length), 32, 'shadow.policyVersion'));
      }
    }
    return w;
  } catch (cause) {
    // validateRecord has checked every bound already, so this is a defect, still reported typed.
    if (cause instanceof IpcError) throw new AuditError('BAD_VALUE', cause.message, { cause });
    throw cause;
  }
}

/**
 * The exact bytes a `checkpoint` record's signature covers (`encodeCheckpointMessage` of its
 * payload, `timestampNs` and `policyVersion`); what `openssl pkeyutl -verify -rawin` is given.
 *
 * @example
 * verifyCheckpointSignature(checkpointMessageOf(record), record.checkpoint.signature, publicKey);
 */
export function checkpointMessageOf(r: Pick<UnsealedRecord, 'checkpoint' | 'timestampNs' | 'policyVersion'>): Uint8Array {
  if (r.checkpoint === undefined) throw new AuditError('BAD_VALUE', 'not a checkpoint record');
  return encodeCheckpointMessage({ ...r.checkpoint, timestampNs: r.timestampNs, policyVersion: r.policyVersion });
}

/**
 * Encodes a record as binary v2 (layout in libs/audit/README.md): version byte, kind, flags, op,
 * decision, reason, fixed u64s, length-prefixed strings, optional fields by flag, then `prevHash`
 * and `hash`; bit 7 of the op byte announces an extension byte (learn mode, a shadow decision) after
 * the optional fields. At most 428 bytes (a decision with every field at its maximum and a shadow
 * decision; a signed checkpoint is 401). Fields are validated first; a bad one throws `AuditError`.
 * A record without a hash (while it is being sealed) is encoded with 32 zero bytes in its place.
 *
 * @example
 * const bytes = encodeRecord(record); // Uint8Array, bytes[0] === 1
 */
export function encodeRecord(r: UnsealedRecord): Uint8Array {
  validateRecord(r);
  const w = writeBody(r, new FrameWriter(AUDIT_LIMITS.maxRecordBytes));
  return w.bytes(r.prevHash).bytes(r.hash ?? ZERO_HASH).finish();
}

