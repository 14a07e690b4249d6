import { describe, expect, test } from 'vitest';
import { capabilitiesOverlap } from './capabilities-overlap.js';

describe(capabilitiesOverlap, () => {
  const cases: readonly [a: string, b: string, overlap: boolean][] = [
    ['crypto.sign', 'crypto.sign', true],
    ['crypto.sign', 'crypto.verify', false],
    ['crypto.*', 'crypto.sign', true],
    ['crypto.sign', 'crypto.*', true],
    ['crypto.*', 'crypto', false],
    ['crypto.*', 'crypto.key.*', true],
    ['fs.*', 'crypto.*', false],
    ['crypto.*', 'cryptox.sign', false],
  ];
  for (const [a, b, overlap] of cases) {
    test(`${a} and ${b}: ${overlap ? 'overlap' : 'disjoint'}`, () => {
      expect(capabilitiesOverlap(a, b)).toBe(overlap);
      expect(capabilitiesOverlap(b, a)).toBe(overlap);
    });
  }
});
