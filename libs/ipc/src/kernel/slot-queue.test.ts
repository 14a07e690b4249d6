import { describe, expect, it } from 'vitest';
import { SlotQueue } from './slot-queue.js';

type Op = readonly ['push' | 'shift' | 'remove' | 'sorted', number] | readonly ['retainEven'];

const later = (a: number, b: number): boolean => Math.floor(a / 10) > Math.floor(b / 10);

/** The same operations on a plain array, the reference. */
function reference(ops: readonly Op[]): number[] {
  const xs: number[] = [];
  for (const op of ops) {
    if (op[0] === 'push') xs.push(op[1]);
    else if (op[0] === 'shift') xs.shift();
    else if (op[0] === 'remove') {
      const i = xs.indexOf(op[1]);
      if (i >= 0) xs.splice(i, 1);
    } else if (op[0] === 'sorted') {
      let i = xs.length;
      while (i > 0 && later(xs[i - 1]!, op[1])) i--;
      xs.splice(i, 0, op[1]);
    } else xs.splice(0, xs.length, ...xs.filter((x) => x % 2 === 0));
  }
  return xs;
}

describe(SlotQueue, () => {
  it.each<{ name: string; ops: readonly Op[] }>([
    { name: 'FIFO', ops: [['push', 1], ['push', 2], ['shift', 0], ['push', 3]] },
    { name: 'cycled one at a time', ops: Array.from({ length: 50 }, (_, i): Op[] => [['push', i], ['shift', 0]]).flat() },
    { name: 'sorted insert keeps ties in order', ops: [['sorted', 21], ['sorted', 11], ['sorted', 22], ['sorted', 12], ['sorted', 5]] },
    { name: 'remove in the middle', ops: [['push', 1], ['push', 2], ['push', 3], ['remove', 2], ['remove', 9]] },
    { name: 'retain', ops: [['push', 1], ['push', 2], ['push', 4], ['shift', 0], ['retainEven']] },
    {
      name: 'head far behind, then compacted',
      ops: [...Array.from({ length: 40 }, (_, i): Op => ['push', i]), ...Array.from({ length: 30 }, (): Op => ['shift', 0]), ['push', 99], ['sorted', 0]],
    },
  ])('$name', ({ ops }) => {
    const q = new SlotQueue<number>();
    for (const op of ops) {
      if (op[0] === 'push') q.push(op[1]);
      else if (op[0] === 'shift') q.shift();
      else if (op[0] === 'remove') q.remove(op[1]);
      else if (op[0] === 'sorted') q.insertSorted(op[1], later);
      else q.retain((x) => x % 2 === 0);
    }
    const want = reference(ops);
    expect(q.length).toBe(want.length);
    expect(q.toArray()).toEqual(want);
    expect(q.at(0)).toBe(want[0]);
    expect(q.drain()).toEqual(want);
    expect(q.length).toBe(0);
  });

  it('test_reject_shift_empty: an empty queue shifts undefined and stays empty', () => {
    const q = new SlotQueue<number>();
    expect(q.shift()).toBeUndefined();
    expect(q.at(0)).toBeUndefined();
    expect(q.length).toBe(0);
  });
});
