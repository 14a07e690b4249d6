import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Journal, type JournalEntry } from './journal.js';

function ids<T>(journal: Journal<T>, afterId = 0n): bigint[] {
  const out: bigint[] = [];
  journal.scan(afterId, (entry: JournalEntry<T>) => {
    out.push(entry.id);
    return true;
  });
  return out;
}

describe(Journal, () => {
  test('appends assign contiguous ids from 1', () => {
    const journal = new Journal<string>({ maxRecords: 4, maxBytes: 100 });
    expect([journal.append('a', 1).id, journal.append('b', 1).id]).toEqual([1n, 2n]);
    expect(journal.stats()).toEqual({ total: 2n, dropped: 0n, highWater: 2, count: 2, bytes: 2 });
  });

  test('record bound: drop-oldest with exact counters', () => {
    const journal = new Journal<number>({ maxRecords: 3, maxBytes: 1000 });
    for (let i = 0; i < 10; i++) journal.append(i, 10);
    expect(journal.stats()).toEqual({ total: 10n, dropped: 7n, highWater: 3, count: 3, bytes: 30 });
    expect(ids(journal)).toEqual([8n, 9n, 10n]);
  });

  test('byte bound: evicts as many oldest records as the new one needs', () => {
    const journal = new Journal<number>({ maxRecords: 100, maxBytes: 100 });
    for (let i = 0; i < 10; i++) journal.append(i, 10);
    journal.append(99, 35);
    expect(journal.stats()).toEqual({ total: 11n, dropped: 4n, highWater: 10, count: 7, bytes: 95 });
    expect(ids(journal)[0]).toBe(5n);
  });

  test('no lifetime cap: 100x the bound still appends and counts exactly', () => {
    const journal = new Journal<number>({ maxRecords: 8, maxBytes: 64 });
    for (let i = 0; i < 800; i++) journal.append(i, 8);
    expect(journal.stats()).toEqual({ total: 800n, dropped: 792n, highWater: 8, count: 8, bytes: 64 });
    expect(journal.append(800, 8).id).toBe(801n);
    expect(journal.last()?.item).toBe(800);
  });

  test.each([
    ['0n (everything)', 0n, [3n, 4n, 5n]],
    ['an evicted id', 1n, [3n, 4n, 5n]],
    ['a held id', 3n, [4n, 5n]],
    ['the newest id', 5n, []],
    ['a future id', 99n, []],
  ])('scan after %s', (_name, afterId, expected) => {
    const journal = new Journal<number>({ maxRecords: 3, maxBytes: 100 });
    for (let i = 0; i < 5; i++) journal.append(i, 1);
    expect(ids(journal, afterId)).toEqual(expected);
  });

  test('scan stops when the visitor returns false', () => {
    const journal = new Journal<number>({ maxRecords: 10, maxBytes: 100 });
    for (let i = 0; i < 5; i++) journal.append(i, 1);
    const seen: bigint[] = [];
    journal.scan(0n, (entry) => {
      seen.push(entry.id);
      return seen.length < 2;
    });
    expect(seen).toEqual([1n, 2n]);
  });

  test('empty journal: no last record, nothing to scan', () => {
    const journal = new Journal<number>({ maxRecords: 2, maxBytes: 10 });
    expect(journal.last()).toBeUndefined();
    expect(ids(journal)).toEqual([]);
  });

  test('property: bounds always hold and total - dropped === count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 16, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 16 }), { maxLength: 200 }),
        (maxRecords, maxBytes, sizes) => {
          const journal = new Journal<number>({ maxRecords, maxBytes });
          for (const size of sizes) {
            journal.append(size, size);
            const s = journal.stats();
            expect(s.count).toBeLessThanOrEqual(maxRecords);
            expect(s.bytes).toBeLessThanOrEqual(maxBytes);
            expect(s.total - s.dropped).toBe(BigInt(s.count));
          }
          const held = ids(journal);
          expect(held.length).toBe(journal.stats().count);
          held.forEach((id, i) => expect(id).toBe(journal.stats().total - BigInt(held.length - 1 - i)));
        },
      ),
    );
  });
});
