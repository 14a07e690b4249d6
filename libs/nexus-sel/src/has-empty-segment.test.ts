import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasEmptySegment } from './has-empty-segment.js';

describe(hasEmptySegment, () => {
  const cases: ReadonlyArray<readonly [string, boolean]> = [
    ['crypto.sign', false],
    ['crypto', false],
    ['a.b.c', false],
    ['a-b_c.d', false],
    ['', true],
    ['.', true],
    ['..', true],
    ['crypto.', true],
    ['.crypto', true],
    ['crypto..sign', true],
    ['a.b..', true],
  ];
  for (const [name, expected] of cases) {
    it(`${JSON.stringify(name)} → ${expected}`, () => expect(hasEmptySegment(name)).toBe(expected));
  }

  it('agrees with splitting on dots', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a.]{0,8}$/), (name) => {
        expect(hasEmptySegment(name)).toBe(name.split('.').includes(''));
      }),
    );
  });
});
