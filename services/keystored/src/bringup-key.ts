import type { webcrypto } from 'node:crypto';

/**
 * A WebCrypto Ed25519 key pair as keystored holds it.
 *
 * @example
 * const pair: DeviceKeyPair = await generateBringupKeyPair();
 */
export type DeviceKeyPair = webcrypto.CryptoKeyPair;

/**
 * The label every PUBKEY reply carries for the device key. It is a BRING-UP key: generated in
 * memory at each start, with no entropy audit, no provisioning and no rotation (all of that is
 * TASK-0008B). Nothing signed with it proves anything about a real device; never trust it in
 * production.
 */
export const BRINGUP_KEY_LABEL = 'bring-up key, NOT FOR PRODUCTION (TASK-0008B)';

/**
 * Generates the bring-up device key pair: Ed25519 with a NON-EXTRACTABLE private key, so no code
 * path (in keystored or anywhere) can export its bytes through WebCrypto. The public half is
 * always exportable, as WebCrypto mandates for public keys.
 *
 * @example
 * const pair = await generateBringupKeyPair();
 * pair.privateKey.extractable; // false
 */
export async function generateBringupKeyPair(): Promise<DeviceKeyPair> {
  return (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as DeviceKeyPair;
}
