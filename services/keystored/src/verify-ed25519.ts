import { isStrictEd25519Point, isStrictEd25519Signature } from '@nexus/proto';

/**
 * Verifies an Ed25519 signature with a raw 32-byte public key, strictly. Returns `false` (never
 * throws) for a key that is not a canonical encoding of a large-order point, a signature that is
 * not 64 bytes, whose R is small-order or non-canonical or whose S ≥ L, a key WebCrypto refuses,
 * or a signature that does not match. The strict checks run first because OpenSSL (behind
 * WebCrypto) accepts small-order keys: the identity key with `R = identity, S = 0` verifies for
 * every message.
 *
 * @example
 * await verifyEd25519(publicKeyRaw, signature, payload); // true
 */
export async function verifyEd25519(publicKey: Uint8Array, signature: Uint8Array, payload: Uint8Array): Promise<boolean> {
  try {
    if (!isStrictEd25519Point(publicKey) || !isStrictEd25519Signature(signature)) return false;
    const key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, payload);
  } catch {
    return false;
  }
}
