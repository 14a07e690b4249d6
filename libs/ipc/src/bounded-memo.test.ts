import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BoundedMemo } from './bounded-memo.js';

describe(BoundedMemo, () => {
  test('computes each admitted key once while it is held', () => {
    let calls = 0;
    const memo = new BoundedMemo(4, (k: string) => (calls++, k.length));
    expect([memo.get('ab'), memo.get('ab'), memo.get('abc')]).toEqual([2, 2, 3]);
    expect(calls).toBe(2);
  });

  test('a refused key is computed every time and never held', () => {
    let calls = 0;
    const memo = new BoundedMemo(4, (k: string) => (calls++, k), (k) => k.length <= 3);
    memo.get('long-key');
    memo.get('long-key');
    expect([calls, memo.size]).toEqual([2, 0]);
  });

  test('never holds more than its capacity and always answers the function', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 100 }), (capacity, keys) => {
        const memo = new BoundedMemo(capacity, (k: string) => `v:${k}`);
        for (const key of keys) {
          expect(memo.get(key)).toBe(`v:${key}`);
          expect(memo.size).toBeLessThanOrEqual(capacity);
        }
      }),
    );
  });

  const bad: readonly [name: string, capacity: number][] = [['zero', 0], ['negative', -1], ['fractional', 1.5], ['NaN', Number.NaN]];
  for (const [name, capacity] of bad) {
    test(`test_reject_capacity: ${name}`, () => {
      expect(() => new BoundedMemo(capacity, (k: string) => k)).toThrow(RangeError);
    });
  }
});
