import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RealTimer } from './real-timer.js';

const realTimeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

// Every outcome here is decided by the fake clock: `setTimeout` and `performance.now()` are both
// faked, so no test depends on how loaded the machine is.
describe(RealTimer, () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires deadlines in due order, ties in scheduling order', () => {
    const timers = new RealTimer();
    const fired: string[] = [];
    timers.schedule(30, () => fired.push('30'));
    timers.schedule(5, () => fired.push('5a'));
    timers.schedule(15, () => fired.push('15'));
    timers.schedule(5, () => fired.push('5b'));
    vi.advanceTimersByTime(4);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['5a', '5b']);
    vi.advanceTimersByTime(25);
    expect(fired).toEqual(['5a', '5b', '15', '30']);
    expect(timers.pending).toBe(0);
  });

  it('a cancelled deadline never fires; cancelling after firing does nothing', () => {
    const timers = new RealTimer();
    const fired: string[] = [];
    const cancelFirst = timers.schedule(5, () => fired.push('first'));
    const cancelSecond = timers.schedule(10, () => fired.push('second'));
    cancelFirst();
    expect(timers.pending).toBe(1);
    vi.advanceTimersByTime(10);
    cancelSecond();
    cancelFirst();
    expect(fired).toEqual(['second']);
    expect(timers.pending).toBe(0);
  });

  it('an earlier deadline re-arms the timer, so it is not held back by a later one', () => {
    const timers = new RealTimer();
    const fired: string[] = [];
    const cancelLate = timers.schedule(10_000, () => fired.push('late'));
    timers.schedule(5, () => fired.push('early'));
    vi.advanceTimersByTime(5);
    expect(fired).toEqual(['early']);
    cancelLate();
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual(['early']);
  });

  // The flake this replaces waited a real 40 ms for 'inner': on a loaded machine the 5 ms timer
  // itself fired after the 40 ms wait was due, Node ran both in one timers phase, and the test
  // looked before the inner deadline's own (≥1 ms) timer could run. RealTimer kept the deadline;
  // these pin that down for every position the inner deadline can take.
  it.each([
    { name: 'due at once', innerMs: 0, after: 0 },
    { name: 'due later than the outer', innerMs: 7, after: 7 },
    { name: 'due before a pending later deadline', innerMs: 3, after: 3 },
  ])('a deadline scheduled while another fires is kept: $name', ({ innerMs, after }) => {
    const timers = new RealTimer();
    const fired: string[] = [];
    timers.schedule(50, () => fired.push('later'));
    timers.schedule(5, () => {
      fired.push('outer');
      timers.schedule(innerMs, () => fired.push('inner'));
    });
    vi.advanceTimersByTime(5);
    expect(fired.slice(0, 1)).toEqual(['outer']);
    vi.advanceTimersByTime(after);
    expect(fired).toEqual(['outer', 'inner']);
    expect(timers.pending).toBe(1);
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['outer', 'inner', 'later']);
  });

  it('test_reject_throwing_callback: a deadline that throws does not strand the ones after it', () => {
    const timers = new RealTimer();
    const fired: string[] = [];
    timers.schedule(5, () => {
      throw new Error('boom');
    });
    timers.schedule(5, () => fired.push('tie'));
    timers.schedule(10, () => fired.push('later'));
    expect(() => vi.advanceTimersByTime(5)).toThrow('boom');
    vi.advanceTimersByTime(5);
    expect(fired).toEqual(['tie', 'later']);
    expect(timers.pending).toBe(0);
  });

  it('cancelling many deadlines behind a long-lived one leaves only that one pending', () => {
    const timers = new RealTimer();
    const cancelLong = timers.schedule(60_000, () => {});
    for (let i = 0; i < 1000; i++) timers.schedule(100_000 + i, () => {})();
    expect(timers.pending).toBe(1);
    cancelLong();
    expect(timers.pending).toBe(0);
  });
});

describe('RealTimer on the real Node timer', () => {
  it('arms one real timer for many deadlines and holds the process by none once all are cancelled', () => {
    const before = realTimeouts();
    const timers = new RealTimer();
    const cancels = Array.from({ length: 100 }, (_, i) => timers.schedule(1000 + i, () => {}));
    expect(realTimeouts() - before).toBe(1);
    expect(timers.pending).toBe(100);
    for (const cancel of cancels.reverse()) cancel();
    expect(timers.pending).toBe(0);
    expect(realTimeouts()).toBe(before);
  });
});
