import { describe, expect, test } from 'vitest';
import { generateBringupKeyPair } from './bringup-key.js';
import { verifyEd25519 } from './verify-ed25519.js';

function addL(sig: Uint8Array, l: Uint8Array): Uint8Array {
  const out = sig.slice();
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const sum = (out[32 + i] ?? 0) + (l[i] ?? 0) + carry;
    out[32 + i] = sum & 0xff;
    carry = sum >> 8;
  }
  return out;
}

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
  const identity = Uint8Array.of(1, ...new Uint8Array(31));
  const forged = Uint8Array.of(...identity, ...new Uint8Array(32));
  const L = Uint8Array.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
  const attacks: readonly { name: string; key: Uint8Array; sig: Uint8Array }[] = [
    // OpenSSL (WebCrypto in Node) accepts this pair for every message: [S]B = R + [k]A is 0 = 0.
    { name: 'the identity key with R = identity, S = 0', key: identity, sig: forged },
    { name: 'the non-canonical identity key (y = p + 1)', key: Uint8Array.of(0xee, ...new Uint8Array(30).fill(0xff), 0x7f), sig: forged },
    { name: 'a real key with R = identity', key: pub, sig: Uint8Array.of(...identity, ...sig.subarray(32)) },
    { name: 'a real signature with S + L', key: pub, sig: addL(sig, L) },
  ];
  for (const c of attacks) {
    test(`test_reject_${c.name}`, async () => {
      for (const p of [payload, Uint8Array.of(), Uint8Array.of(0xde, 0xad)]) expect(await verifyEd25519(c.key, c.sig, p)).toBe(false);
    });
  }
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
