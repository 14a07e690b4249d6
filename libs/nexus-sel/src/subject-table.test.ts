import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serviceIdFromName } from './index.js';
import { SubjectTable } from './subject-table.js';

const TWO_64 = 1n << 64n;
const keystored = serviceIdFromName('keystored');
const execd = serviceIdFromName('execd');
const table = new SubjectTable([
  [keystored, 'keystored'],
  [execd, 'execd'],
  [0n, 'zero'],
  [TWO_64 - 1n, 'max'],
]);

describe(SubjectTable, () => {
  describe('get', () => {
    const cases: ReadonlyArray<readonly [string, bigint, string | undefined]> = [
      ['keystored', keystored, 'keystored'],
      ['execd', execd, 'execd'],
      ['0', 0n, 'zero'],
      ['2^64-1', TWO_64 - 1n, 'max'],
      ['an unknown id', serviceIdFromName('nobody'), undefined],
      ['1', 1n, undefined],
    ];
    for (const [name, id, expected] of cases) {
      it(name, () => expect(table.get(id)).toBe(expected));
    }
  });

  describe('spoofs', () => {
    // The typed array wraps modulo 2^64: these share every bit a lookup hashes with a stored id.
    const cases: ReadonlyArray<readonly [string, unknown]> = [
      ['test_reject_id_plus_2^64', keystored + TWO_64],
      ['test_reject_id_minus_2^64', keystored - TWO_64],
      ['test_reject_-1_alias_of_max', -1n],
      ['test_reject_2^64_alias_of_zero', TWO_64],
      ['test_reject_number', 0],
      ['test_reject_numeric_string', keystored.toString()],
      ['test_reject_undefined', undefined],
    ];
    for (const [name, id] of cases) {
      it(name, () => expect(table.get(id as bigint)).toBeUndefined());
    }
  });

  it('an empty table finds nothing', () => {
    expect(new SubjectTable<string>([]).get(0n)).toBeUndefined();
  });

  it('keeps the last value of a repeated id', () => {
    expect(new SubjectTable([[execd, 1], [execd, 2]]).get(execd)).toBe(2);
  });

  it('probes past ids that share a low or a high word', () => {
    const ids = Array.from({ length: 64 }, (_, n) => [BigInt(n + 1) << 32n, BigInt(n + 1), (BigInt(n + 1) << 32n) | 0xffff_ffffn]).flat();
    const many = new SubjectTable(ids.map((id, n) => [id, n] as const));
    expect(ids.map((id) => many.get(id))).toEqual(ids.map((_, n) => n));
    expect(new Set(ids).size).toBe(ids.length);
    expect(many.get(65n << 32n)).toBeUndefined();
  });

  it('agrees with a Map on arbitrary ids and lookups', () => {
    const u64 = fc.bigInt({ min: 0n, max: TWO_64 - 1n });
    fc.assert(
      fc.property(
        fc.uniqueArray(u64, { maxLength: 200 }),
        fc.array(fc.oneof(u64, fc.bigInt({ min: -TWO_64, max: 2n * TWO_64 })), { maxLength: 50 }),
        (ids, extra) => {
          const reference = new Map(ids.map((id, n) => [id, n]));
          const subject = new SubjectTable(reference);
          for (const id of [...ids, ...ids.map((id) => id + TWO_64), ...ids.map((id) => id - TWO_64), ...extra]) {
            expect(subject.get(id)).toBe(reference.get(id));
          }
        },
      ),
    );
  });
});
