import { describe, expect, test } from 'vitest';
import { didYouMean } from './did-you-mean.js';

const COMMANDS = ['check', 'explain', 'diff', 'test', 'audit'];

describe(didYouMean, () => {
  test.each([
    ['chek', 'check'],
    ['explian', 'explain'],
    ['dif', 'diff'],
    ['tset', 'test'],
    ['audt', 'audit'],
    ['zzzzzz', undefined],
    ['x', undefined],
    ['a'.repeat(10_000), undefined],
  ])('%s → %s', (word, expected) => {
    expect(didYouMean(word, COMMANDS)).toBe(expected);
  });
});
