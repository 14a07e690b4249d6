import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKeystoreAuditPubkey, ed25519SpkiDer, encodeKeystoreAuditPubkey } from './audit-pubkey.js';

describe(encodeKeystoreAuditPubkey, () => {
  it('the SPKI DER is what node:crypto exports, and the key id is its SHA-256', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const der = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    const raw = der.subarray(12);
    const decoded = decodeKeystoreAuditPubkey(encodeKeystoreAuditPubkey(raw));
    expect(decoded.spkiDer).toEqual(der);
    expect(decoded.keyId).toEqual(new Uint8Array(createHash('sha256').update(der).digest()));
    expect(createPublicKey({ key: Buffer.from(decoded.spkiDer), format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ed25519');
  });

  it('property: round trip of any 32 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (raw) => {
        expect(decodeKeystoreAuditPubkey(encodeKeystoreAuditPubkey(raw)).publicKey).toEqual(raw);
      }),
    );
  });

  for (const n of [0, 31, 33]) {
    it(`test_reject_encode_key_${n}_bytes`, () => {
      expect(() => encodeKeystoreAuditPubkey(new Uint8Array(n))).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
      expect(() => ed25519SpkiDer(new Uint8Array(n))).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    });
  }
});

describe(decodeKeystoreAuditPubkey, () => {
  const value = encodeKeystoreAuditPubkey(new Uint8Array(32).fill(3));
  const cases: ReadonlyArray<{ name: string; bytes: Uint8Array }> = [
    { name: 'test_reject_63_bytes', bytes: value.slice(0, 63) },
    { name: 'test_reject_65_bytes', bytes: Uint8Array.from([...value, 0]) },
    { name: 'test_reject_empty', bytes: new Uint8Array(0) },
    { name: 'test_reject_wrong_key_id', bytes: value.map((b, i) => (i === 63 ? b ^ 1 : b)) },
    { name: 'test_reject_key_changed_under_its_id', bytes: value.map((b, i) => (i === 0 ? b ^ 1 : b)) },
  ];
  for (const { name, bytes } of cases) {
    it(name, () => expect(() => decodeKeystoreAuditPubkey(bytes)).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'MALFORMED' })));
  }

  it('property: random bytes throw only ProtoError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          decodeKeystoreAuditPubkey(bytes);
        } catch (e) {
          expect((e as Error).name).toBe('ProtoError');
        }
      }),
    );
  });
});
