import { KS_KEY_ID_BYTES, KS_SEAL_MESSAGE_BYTES } from '@nexus/proto';
import type { DeviceKeyPair } from './bringup-key.js';

/**
 * The capability a KS caller needs for SEAL (decided by policyd about the caller; granted to policyd
 * alone in `recipes/policy`).
 */
export const SEAL_CAP = 'audit.seal';

/**
 * Generates the audit key: a second Ed25519 pair, separate from the device key, whose private half
 * is a NON-EXTRACTABLE WebCrypto key that only keystored's SEAL op ever uses. Since SEAL signs
 * nothing but checkpoint messages (domain prefix, exact length), no holder of `crypto.sign` can
 * produce a checkpoint signature, and no `audit.seal` holder can sign anything else.
 *
 * @example
 * const audit = await generateAuditKeyPair();
 * audit.privateKey.extractable; // false
 */
export async function generateAuditKeyPair(): Promise<DeviceKeyPair> {
  return (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as DeviceKeyPair;
}

/**
 * Whether a checkpoint message names `keyId` (its last 32 bytes, per the layout of
 * `@nexus/audit`'s `encodeCheckpointMessage`): keystored seals only claims about its own key.
 *
 * @example
 * namesKey(message, keyId); // true
 */
export function namesKey(message: Uint8Array, keyId: Uint8Array): boolean {
  if (message.byteLength !== KS_SEAL_MESSAGE_BYTES || keyId.byteLength !== KS_KEY_ID_BYTES) return false;
  const at = KS_SEAL_MESSAGE_BYTES - KS_KEY_ID_BYTES;
  for (let i = 0; i < KS_KEY_ID_BYTES; i++) if (message[at + i] !== keyId[i]) return false;
  return true;
}
