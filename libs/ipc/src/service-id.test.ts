import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serviceIdFromName } from './service-id.js';

const vectors: ReadonlyArray<readonly [string, bigint]> = [
  ['', 0xcbf29ce484222325n],
  ['init-lite', 0x46f681f38d27984en],
  ['selftest-client', 0x52c6c4a34ffb3f69n],
  ['keystored', 0x866cecf1b02a841bn],
  ['policyd', 0xc4b6d847aa573fa1n],
  ['execd', 0x7b6096126000c028n],
  ['bundlemgrd', 0x4dac7c5bc8db33ebn],
  ['logd', 0xce07e8ad70ec4c6fn],
  ['demo.testsvc', 0xd5ddfde85dbf9fa6n],
];

/** The original bigint FNV-1a 64 over TextEncoder bytes: the reference the fast path must equal. */
function reference(name: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(name)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

describe(serviceIdFromName, () => {
  for (const [name, id] of vectors) {
    it(JSON.stringify(name), () => {
      expect(serviceIdFromName(name)).toBe(id);
    });
  }

  for (const name of ['é', 'a😀', 'ab\ud800', '\udc00', '\x7f\x80', '\xff'.repeat(5)]) {
    it(`non-ASCII ${JSON.stringify(name)} hashes its UTF-8 bytes`, () => {
      expect(serviceIdFromName(name)).toBe(reference(name));
    });
  }

  it('equals the bigint reference on any string', () => {
    const names = fc.oneof(
      fc.string({ maxLength: 64 }),
      fc.string({ unit: 'binary', maxLength: 32 }),
      fc.string({ unit: fc.constantFrom(...'\xff\x00\x7f\x80az.-'), maxLength: 200 }),
    );
    fc.assert(fc.property(names, (name) => {
      expect(serviceIdFromName(name)).toBe(reference(name));
    }), { numRuns: 500 });
  });
});
