import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AuditError } from './audit-error.js';

/** Bounds the PEM text a verifier reads (an Ed25519 SPKI PEM is 113 bytes). */
const MAX_PEM_CHARS = 4096;

/**
 * Reads the public half of the audit key from SPKI PEM (`-----BEGIN PUBLIC KEY-----`, what
 * `openssl pkey -pubin` reads). Anything but an Ed25519 public key is `AuditError('MALFORMED')`:
 * a private key, another algorithm, or text that is not PEM.
 *
 * @example
 * const key = loadAuditPublicKey(readFileSync('audit-key.pem', 'utf8'));
 */
export function loadAuditPublicKey(pem: string): KeyObject {
  if (typeof pem !== 'string' || pem.length > MAX_PEM_CHARS || !pem.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new AuditError('MALFORMED', 'the audit key must be an SPKI PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new AuditError('MALFORMED', 'the audit key is not a readable SPKI PEM public key', { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AuditError('MALFORMED', `the audit key must be Ed25519, not ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

/**
 * The key id a checkpoint names: SHA-256 of the public key's SPKI DER encoding (32 bytes).
 *
 * @example
 * toHex(auditKeyId(key)); // the same digest as `openssl pkey -pubin -outform DER | sha256sum`
 */
export function auditKeyId(publicKey: KeyObject): Uint8Array {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return new Uint8Array(createHash('sha256').update(der).digest());
}

/**
 * Whether `signature` is a valid Ed25519 signature of `message` under `publicKey` (never throws:
 * a wrong length or a broken signature is `false`).
 *
 * @example
 * verifyCheckpointSignature(checkpointMessageOf(record), record.checkpoint.signature, key); // true
 */
export function verifyCheckpointSignature(message: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (!(message instanceof Uint8Array) || !(signature instanceof Uint8Array) || signature.length !== 64) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}
