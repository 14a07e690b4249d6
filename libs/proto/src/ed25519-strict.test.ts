import type { webcrypto } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isStrictEd25519Point, isStrictEd25519Signature } from './ed25519-strict.js';

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
}

const FF30 = 'ff'.repeat(30);

/**
 * Every encoding of a small-order point, canonical or not (libsodium's blocklist and "Taming the
 * many EdDSAs", Chalkias et al. 2020, table 6), plus non-canonical encodings of y ≥ p.
 */
const REJECTED_POINTS: readonly { name: string; hex: string }[] = [
  { name: 'identity (0, 1), order 1', hex: '01' + '00'.repeat(31) },
  { name: 'identity with the sign bit set (non-canonical)', hex: '01' + '00'.repeat(30) + '80' },
  { name: '(0, −1), order 2', hex: 'ec' + FF30 + '7f' },
  { name: '(0, −1) with the sign bit set (non-canonical)', hex: 'ec' + FF30 + 'ff' },
  { name: '(√−1, 0), order 4', hex: '00'.repeat(32) },
  { name: '(−√−1, 0), order 4', hex: '00'.repeat(31) + '80' },
  { name: 'order 8 (26e8…05)', hex: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05' },
  { name: 'order 8 (26e8…85)', hex: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85' },
  { name: 'order 8 (c717…7a)', hex: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a' },
  { name: 'order 8 (c717…fa)', hex: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa' },
  { name: 'y = p (≡ 0, non-canonical)', hex: 'ed' + FF30 + '7f' },
  { name: 'y = p with the sign bit', hex: 'ed' + FF30 + 'ff' },
  { name: 'y = p + 1 (≡ 1, non-canonical identity)', hex: 'ee' + FF30 + '7f' },
  { name: 'y = p + 1 with the sign bit', hex: 'ee' + FF30 + 'ff' },
  { name: 'y = 2^255 − 1 (non-canonical)', hex: 'ff' + FF30 + '7f' },
  { name: 'y = 2 (not on the curve)', hex: '02' + '00'.repeat(31) },
];

const L_HEX = 'edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010';

describe(isStrictEd25519Point, async () => {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pub = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));

  test('a generated public key is accepted', () => {
    expect(isStrictEd25519Point(pub)).toBe(true);
  });
  test('the base point B is accepted', () => {
    expect(isStrictEd25519Point(hex('5866666666666666666666666666666666666666666666666666666666666666'))).toBe(true);
  });
  for (const c of REJECTED_POINTS) {
    test(`test_reject_point ${c.name}`, () => {
      expect(isStrictEd25519Point(hex(c.hex))).toBe(false);
    });
  }
  test('test_reject_point of 31 and 33 bytes', () => {
    expect(isStrictEd25519Point(pub.slice(1))).toBe(false);
    expect(isStrictEd25519Point(Uint8Array.of(...pub, 0))).toBe(false);
  });
  test('never throws on any 32 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (b) => typeof isStrictEd25519Point(b) === 'boolean'),
      { numRuns: 200 },
    );
  });
});

describe(isStrictEd25519Signature, async () => {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, Uint8Array.of(1)));

  test('a real signature is accepted', () => {
    expect(isStrictEd25519Signature(sig)).toBe(true);
  });
  for (const c of REJECTED_POINTS) {
    test(`test_reject_signature whose R is ${c.name}`, () => {
      expect(isStrictEd25519Signature(Uint8Array.of(...hex(c.hex), ...sig.subarray(32)))).toBe(false);
    });
  }
  const sCases: readonly { name: string; s: string }[] = [
    { name: 'S = L', s: L_HEX },
    { name: 'S = L + 1', s: 'ee' + L_HEX.slice(2) },
    { name: 'S = 2^256 − 1', s: 'ff'.repeat(32) },
  ];
  for (const c of sCases) {
    test(`test_reject_signature with ${c.name}`, () => {
      expect(isStrictEd25519Signature(Uint8Array.of(...sig.subarray(0, 32), ...hex(c.s)))).toBe(false);
    });
  }
  test('S = L − 1 is in range', () => {
    expect(isStrictEd25519Signature(Uint8Array.of(...sig.subarray(0, 32), ...hex('ec' + L_HEX.slice(2))))).toBe(true);
  });
  test('test_reject_signature of 63 bytes', () => {
    expect(isStrictEd25519Signature(sig.slice(1))).toBe(false);
  });
});
