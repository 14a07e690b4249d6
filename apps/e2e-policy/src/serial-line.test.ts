import { describe, expect, test } from 'vitest';
import { SerialLine } from './serial-line.js';

function device(maxLines = 2, maxLineChars = 32): { uart: SerialLine; console: string[] } {
  const console: string[] = [];
  return { uart: new SerialLine({ maxLines, maxLineChars }, (l) => console.push(l)), console };
}

describe(SerialLine, () => {
  test('policyd ready line goes to the console, not the device', () => {
    const { uart, console } = device();
    uart.write('policyd: ready (ver=0123abcd)');
    expect(console).toEqual(['policyd: ready (ver=0123abcd)']);
    expect(uart.lines()).toEqual([]);
  });

  test('audit lines stay on the device, never on the console', () => {
    const { uart, console } = device();
    uart.write('audit v2 op=check decision=deny');
    expect(uart.lines()).toEqual(['audit v2 op=check decision=deny']);
    expect(console).toEqual([]);
  });

  test('a line that only looks like the ready line is stored, not printed', () => {
    const { uart, console } = device(2, 64);
    uart.write('policyd: ready (ver=0123abcd) reason=deny-rule');
    expect(console).toEqual([]);
  });

  test('test_reject_full_device: a write past maxLines throws and is counted', () => {
    const { uart } = device(1);
    uart.write('a');
    expect(() => uart.write('b')).toThrow('serial line full');
    expect(uart.refused()).toBe(1);
    expect(uart.lines()).toEqual(['a']);
  });

  test('test_reject_long_line: a line past maxLineChars throws and is counted', () => {
    const { uart } = device(4, 4);
    expect(() => uart.write('12345')).toThrow('serial line full');
    expect(uart.refused()).toBe(1);
  });

  test('test_reject_write_into_held_room: a held line is kept for its holder, free room goes first', () => {
    const uart = new SerialLine({ maxLines: 2, maxLineChars: 64 }, () => undefined);
    const hold = uart.reserve();
    expect(hold).toBeDefined();
    uart.write('audit v2 a');
    expect(() => uart.write('audit v2 b')).toThrow('serial line full');
    expect(uart.reserve()).toBeUndefined();
    hold!.write('audit v2 held');
    expect(() => hold!.write('audit v2 again')).toThrow();
    expect(uart.lines()).toEqual(['audit v2 a', 'audit v2 held']);
    const other = new SerialLine({ maxLines: 1, maxLineChars: 64 }, () => undefined);
    other.reserve()!.release();
    other.write('audit v2 c');
    expect(other.lines()).toEqual(['audit v2 c']);
  });
});
