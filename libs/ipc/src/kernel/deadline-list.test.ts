import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DeadlineList, SLOT_IDLE, type DeadlineSlot } from './deadline-list.js';

interface Entry {
  readonly id: number;
  readonly due: number;
  slot: number;
}

const SLOT: DeadlineSlot<Entry> = { get: (e) => e.slot, set: (e, v) => { e.slot = v; } };
const list = (): DeadlineList<Entry> => new DeadlineList<Entry>((a, b) => a.due > b.due, SLOT);
const entry = (id: number, due: number): Entry => ({ id, due, slot: SLOT_IDLE });

function drain(l: DeadlineList<Entry>): number[] {
  const out: number[] = [];
  for (let head = l.head(); head !== undefined; head = l.head()) {
    l.shift();
    out.push(head.id);
  }
  return out;
}

describe(DeadlineList, () => {
  test('fires in due order, ties in arming order', () => {
    const l = list();
    [entry(1, 5), entry(2, 1), entry(3, 5), entry(4, 0)].forEach((e) => l.insert(e));
    expect(drain(l)).toEqual([4, 2, 1, 3]);
    expect(l.pending).toBe(0);
  });

  test('test_reject_cancelled_head: a cancelled entry never reaches the front, a second cancel is a no-op', () => {
    const l = list();
    const [a, b, c] = [entry(1, 1), entry(2, 2), entry(3, 3)];
    [a, b, c].forEach((e) => l.insert(e));
    expect(l.cancel(b)).toBe(true);
    expect(l.cancel(b)).toBe(false);
    expect(l.cancel(a)).toBe(true);
    expect(l.head()).toBe(c);
    expect(l.pending).toBe(1);
    expect([a.slot, b.slot]).toEqual([SLOT_IDLE, SLOT_IDLE]);
  });

  test('agrees with a sorted array on random arm / cancel / fire', () => {
    const op = fc.oneof(fc.record({ arm: fc.integer({ min: 0, max: 20 }) }), fc.record({ cancel: fc.nat() }), fc.constant({ fire: true }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const l = list();
        let model: Entry[] = [];
        let id = 0;
        for (const o of ops) {
          if ('arm' in o) {
            const e = entry(id++, o.arm);
            l.insert(e);
            model.push(e);
            model.sort((x, y) => x.due - y.due || x.id - y.id);
          } else if ('cancel' in o) {
            const e = model[o.cancel % Math.max(1, model.length)];
            if (e !== undefined) {
              expect(l.cancel(e)).toBe(true);
              model = model.filter((m) => m !== e);
            }
          } else {
            expect(l.head()).toBe(model[0]);
            if (model.length > 0) {
              l.shift();
              model.shift();
            }
          }
          expect(l.pending).toBe(model.length);
          expect(l.head()).toBe(model[0]);
        }
        expect(drain(l)).toEqual(model.map((m) => m.id));
      }),
    );
  });
});
