/**
 * Verifies an Ed25519 signature with a raw 32-byte public key. Returns `false` (never throws) for
 * a key WebCrypto refuses, a signature that is not 64 bytes, or a signature that does not match.
 *
 * @example
 * await verifyEd25519(publicKeyRaw, signature, payload); // true
 */
export async function verifyEd25519(publicKey: Uint8Array, signature: Uint8Array, payload: Uint8Array): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, payload);
  } catch {
    return false;
  }
}
