import { describe, expect, test } from 'vitest';
import { CliError } from './cli-error.js';
import { meetsMinCoverage, parsePercent } from './coverage.js';

describe(meetsMinCoverage, () => {
  const table: readonly [covered: number, total: number, min: string, ok: boolean][] = [
    [9999, 10000, '99.99', true],
    [9999, 10000, '100', false],
    [10000, 10000, '100', true],
    [2, 3, '66.67', false],
    [2, 3, '66.66', true],
    [2, 3, '66.666666666666666666', true],
    [2, 3, '66.666666666666666667', false],
    [1, 3, '33.34', false],
    [0, 0, '100', true],
    [0, 5, '0', true],
    [0, 5, '0.1', false],
  ];
  for (const [covered, total, min, ok] of table) {
    test(`${covered}/${total} against ${min}`, () => {
      expect(meetsMinCoverage(covered, total, parsePercent(min))).toBe(ok);
    });
  }
});

describe(parsePercent, () => {
  test('99.5 is 995/10', () => {
    expect(parsePercent('99.5')).toEqual({ text: '99.5', numerator: 995n, scale: 10n });
  });
  for (const bad of ['', '1e2', '-1', '100.01', '101', '.5', '5.', '0x10', ' 90', '9'.repeat(30), '1.0000000000000000001']) {
    test(`test_reject_percent: "${bad.slice(0, 20)}"`, () => {
      expect(() => parsePercent(bad)).toThrow(CliError);
    });
  }
});
