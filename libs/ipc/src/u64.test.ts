import { describe, expect, test } from 'vitest';
import { hexU64, U64_MAX } from './u64.js';

describe(hexU64, () => {
  const cases: readonly [value: bigint, text: string][] = [
    [0n, '0x0000000000000000'],
    [1n, '0x0000000000000001'],
    [0x866cecf1b02a841bn, '0x866cecf1b02a841b'],
    [U64_MAX, '0xffffffffffffffff'],
  ];
  for (const [value, text] of cases) {
    test(text, () => {
      expect(hexU64(value)).toBe(text);
    });
  }
});
