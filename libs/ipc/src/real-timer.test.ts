import { describe, expect, it } from 'vitest';
import { RealTimer } from './real-timer.js';

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const realTimeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe(RealTimer, () => {
  it('fires deadlines in due order, ties in scheduling order', async () => {
    const timers = new RealTimer();
    const fired: string[] = [];
    timers.schedule(30, () => fired.push('30'));
    timers.schedule(5, () => fired.push('5a'));
    timers.schedule(15, () => fired.push('15'));
    timers.schedule(5, () => fired.push('5b'));
    await wait(60);
    expect(fired).toEqual(['5a', '5b', '15', '30']);
    expect(timers.pending).toBe(0);
  });

  it('a cancelled deadline never fires; cancelling after firing does nothing', async () => {
    const timers = new RealTimer();
    const fired: string[] = [];
    const cancelFirst = timers.schedule(5, () => fired.push('first'));
    const cancelSecond = timers.schedule(10, () => fired.push('second'));
    cancelFirst();
    expect(timers.pending).toBe(1);
    await wait(40);
    cancelSecond();
    cancelFirst();
    expect(fired).toEqual(['second']);
    expect(timers.pending).toBe(0);
  });

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

  it('an earlier deadline re-arms the timer, so it is not held back by a later one', async () => {
    const timers = new RealTimer();
    const fired: string[] = [];
    const cancelLate = timers.schedule(10_000, () => fired.push('late'));
    timers.schedule(5, () => fired.push('early'));
    await wait(40);
    expect(fired).toEqual(['early']);
    cancelLate();
  });

  it('a deadline scheduled while another fires is kept', async () => {
    const timers = new RealTimer();
    const fired: string[] = [];
    timers.schedule(5, () => {
      fired.push('outer');
      timers.schedule(0, () => fired.push('inner'));
    });
    await wait(40);
    expect(fired).toEqual(['outer', 'inner']);
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
