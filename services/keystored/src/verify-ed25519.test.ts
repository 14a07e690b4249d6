import { describe, expect, test } from 'vitest';
import { generateBringupKeyPair } from './bringup-key.js';
import { verifyEd25519 } from './verify-ed25519.js';

describe(verifyEd25519, async () => {
  const pair = await generateBringupKeyPair();
  const other = await generateBringupKeyPair();
  const pub = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const otherPub = new Uint8Array(await crypto.subtle.exportKey('raw', other.publicKey));
  const payload = Uint8Array.of(1, 2, 3);
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, payload));

  const cases: readonly { name: string; key: Uint8Array; sig: Uint8Array; payload: Uint8Array; valid: boolean }[] = [
    { name: 'a matching signature', key: pub, sig, payload, valid: true },
    { name: 'another payload', key: pub, sig, payload: Uint8Array.of(1, 2), valid: false },
    { name: 'another key', key: otherPub, sig, payload, valid: false },
    { name: 'a flipped signature bit', key: pub, sig: sig.map((b, i) => (i === 0 ? b ^ 1 : b)), payload, valid: false },
    { name: 'a 63-byte signature', key: pub, sig: sig.slice(1), payload, valid: false },
    { name: 'a 31-byte key', key: pub.slice(1), sig, payload, valid: false },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      expect(await verifyEd25519(c.key, c.sig, c.payload)).toBe(c.valid);
    });
  }
});

describe(generateBringupKeyPair, () => {
  test('the private key is not extractable', async () => {
    const pair = await generateBringupKeyPair();
    expect(pair.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', pair.privateKey)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('jwk', pair.privateKey)).rejects.toThrow();
  });
});
