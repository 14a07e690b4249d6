import { createHash } from 'node:crypto';
import { FrameReader, FrameWriter } from '@nexus/ipc';
import { KS_KEY_ID_BYTES, KS_PUBKEY_BYTES } from './wire.js';
import { ProtoError } from '../proto-error.js';
import { readGuard } from '../read-guard.js';

/**
 * The fixed DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE, AlgorithmIdentifier
 * 1.3.101.112, BIT STRING of 33 bytes; the raw 32-byte key follows.
 *
 * @example
 * ED25519_SPKI_PREFIX.byteLength; // 12
 */
export const ED25519_SPKI_PREFIX: Uint8Array = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);

/**
 * The value of an AUDIT_PUBKEY reply: `pubkey[32] ‖ keyId[32]`, where `keyId` is SHA-256 of the
 * key's SPKI DER (what a checkpoint names, `@nexus/audit`'s `auditKeyId`). `spkiDer` is derived
 * (44 bytes), not sent.
 *
 * @example
 * const { publicKey, keyId, spkiDer }: KeystoreAuditPubkey = decodeKeystoreAuditPubkey(reply.value);
 */
export interface KeystoreAuditPubkey {
  readonly publicKey: Uint8Array;
  readonly keyId: Uint8Array;
  readonly spkiDer: Uint8Array;
}

/**
 * The SPKI DER of a raw 32-byte Ed25519 public key. Throws `ProtoError('BAD_VALUE')` on another size.
 *
 * @example
 * ed25519SpkiDer(raw).byteLength; // 44
 */
export function ed25519SpkiDer(publicKey: Uint8Array): Uint8Array {
  return readGuard(
    () => new FrameWriter(ED25519_SPKI_PREFIX.byteLength + KS_PUBKEY_BYTES).bytes(ED25519_SPKI_PREFIX).bytes(exactKey(publicKey)).finish(),
    'BAD_VALUE',
  );
}

function exactKey(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.byteLength !== KS_PUBKEY_BYTES) throw new ProtoError('BAD_VALUE', 'public key must be 32 bytes');
  return publicKey;
}

function keyIdOf(spkiDer: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(spkiDer).digest());
}

/**
 * Encodes the value of an AUDIT_PUBKEY reply from the raw public key (the key id is computed, so
 * it always matches). Throws `ProtoError('BAD_VALUE')` on a key that is not 32 bytes.
 *
 * @example
 * encodeKeystoreAuditPubkey(raw).byteLength; // 64
 */
export function encodeKeystoreAuditPubkey(publicKey: Uint8Array): Uint8Array {
  const spki = ed25519SpkiDer(publicKey);
  return readGuard(
    () => new FrameWriter(KS_PUBKEY_BYTES + KS_KEY_ID_BYTES).bytes(spki.subarray(ED25519_SPKI_PREFIX.byteLength)).bytes(keyIdOf(spki)).finish(),
    'BAD_VALUE',
  );
}

/**
 * Decodes the value of an AUDIT_PUBKEY reply: exactly 64 bytes whose key id is SHA-256 of the
 * key's SPKI DER; anything else throws `ProtoError('MALFORMED')`.
 *
 * @example
 * decodeKeystoreAuditPubkey(encodeKeystoreAuditPubkey(raw)).publicKey; // raw
 */
export function decodeKeystoreAuditPubkey(value: Uint8Array): KeystoreAuditPubkey {
  const r = new FrameReader(value);
  const { publicKey, keyId } = readGuard(() => {
    const fields = { publicKey: r.bytes(KS_PUBKEY_BYTES), keyId: r.bytes(KS_KEY_ID_BYTES) };
    r.end();
    return fields;
  });
  const spkiDer = ed25519SpkiDer(publicKey);
  const expected = keyIdOf(spkiDer);
  if (expected.some((b, i) => b !== keyId[i])) throw new ProtoError('MALFORMED', 'key id is not SHA-256 of the SPKI DER');
  return { publicKey, keyId, spkiDer };
}
