import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeName, SEGMENT_CHARS } from './normalize-name.js';

const cases: ReadonlyArray<readonly [unknown, number, string | undefined]> = [
  [' KeyStored ', 48, 'keystored'],
  ['CRYPTO.SIGN', 48, 'crypto.sign'],
  ['\tipc.route\n', 48, 'ipc.route'],
  ['demo.testsvc', 48, 'demo.testsvc'],
  ['a_b-c.9', 48, 'a_b-c.9'],
  ['x'.repeat(48), 48, 'x'.repeat(48)],
  ['x'.repeat(49), 48, undefined],
  ['x'.repeat(64), 64, 'x'.repeat(64)],
  ['', 48, undefined],
  ['   ', 48, undefined],
  ['key stored', 48, undefined],
  ['kéy', 48, undefined],
  ['\u212Aey', 48, undefined],
  ['key\u00a0', 48, undefined],
  ['a*', 48, undefined],
  ['a@b', 48, undefined],
  [null, 48, undefined],
  [42, 48, undefined],
  [`k${' '.repeat(300)}`, 48, undefined],
];

describe(normalizeName, () => {
  for (const [raw, max, expected] of cases) {
    it(`${JSON.stringify(raw)?.slice(0, 40)} (max ${max})`, () => {
      expect(normalizeName(raw, max)).toBe(expected);
    });
  }

  it('test_reject_huge_string_without_scanning_it', () => {
    expect(normalizeName(`a${' '.repeat(10_000_000)}`, 48)).toBeUndefined();
  });

  it('is idempotent and only ever returns canonical names', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.integer({ min: 1, max: 64 }), (raw, max) => {
        const name = normalizeName(raw, max);
        if (name === undefined) return;
        expect(name).toMatch(/^[a-z0-9._-]+$/);
        expect(name.length).toBeLessThanOrEqual(max);
        expect(normalizeName(name, max)).toBe(name);
      }),
    );
  });
});

describe('SEGMENT_CHARS', () => {
  it('is the alphabet normalizeName accepts, besides the segment separator and uppercase', () => {
    const accepted = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)).filter(
      (c) => c !== '.' && normalizeName(`a${c}a`, 48) === `a${c}a`,
    );
    expect(accepted.sort().join('')).toBe([...SEGMENT_CHARS].sort().join(''));
  });
});
