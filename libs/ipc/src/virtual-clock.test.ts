import { describe, expect, it } from 'vitest';
import { IpcError } from './ipc-error.js';
import { VirtualClock } from './virtual-clock.js';

describe(VirtualClock, () => {
  it('starts at 0 and advances by exactly the given ns', () => {
    const clock = new VirtualClock();
    expect(clock.now()).toBe(0n);
    clock.advance(5n);
    clock.advance(0n);
    expect(clock.now()).toBe(5n);
  });

  for (const [label, value] of [
    ['negative', -1n],
    ['a number', 1],
    ['a string', '1'],
  ] as const) {
    it(`test_reject_advance_${label.replace(' ', '_')}`, () => {
      const clock = new VirtualClock();
      expect(() => clock.advance(value as bigint)).toThrow(IpcError);
      expect(clock.now()).toBe(0n);
    });
  }

  it('fires due timers in deadline order, ties in scheduling order, and not before', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.schedule(30n, () => fired.push('c'));
    clock.schedule(10n, () => fired.push('a'));
    clock.schedule(10n, () => fired.push('b'));
    clock.advance(9n);
    expect(fired).toEqual([]);
    clock.advance(21n);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a cancelled timer never fires; advanceTo never moves backwards', () => {
    const clock = new VirtualClock();
    let fired = false;
    const cancel = clock.schedule(1n, () => (fired = true));
    cancel();
    cancel();
    clock.advanceTo(10n);
    clock.advanceTo(3n);
    expect(fired).toBe(false);
    expect(clock.now()).toBe(10n);
  });

  it('a timer scheduled by a firing timer fires in the same advance when due', () => {
    const clock = new VirtualClock();
    const fired: bigint[] = [];
    clock.schedule(1n, () => clock.schedule(2n, () => fired.push(clock.now())));
    clock.advance(5n);
    expect(fired).toEqual([5n]);
  });
});
