import type { UartPort, UartReservation } from '@nexus/audit';

/**
 * Bounds of a {@link SerialLine}.
 *
 * @example
 * const bounds: SerialLineBounds = { maxLines: 256, maxLineChars: 2048 };
 */
export interface SerialLineBounds {
  /** Lines the device holds; a write past it fails (the sink then counts the record lost). */
  readonly maxLines: number;
  /** Longest line accepted. */
  readonly maxLineChars: number;
}

const READY_LINE = /^policyd: ready \(ver=[0-9a-f]{8}\)$/;

/**
 * policyd's audit UART, as a bounded in-memory serial line of the boot harness. Audit lines carry
 * reasons, so they are kept here and never reach stdout; the only line passed on to the console is
 * policyd's fixed-shape ready line. A write past a bound throws, which is how a full UART looks to
 * the audit sink (the record is then counted lost, never silently dropped).
 *
 * @example
 * const uart = new SerialLine({ maxLines: 256, maxLineChars: 2048 }, (line) => console.log(line));
 * startPolicyd(kernel, { policyDir, console: uart });
 * uart.lines(); // every audit line written, in order
 */
export class SerialLine implements UartPort {
  readonly #bounds: SerialLineBounds;
  readonly #console: (line: string) => void;
  readonly #lines: string[] = [];
  /** Lines held for policyd's in-flight allow decisions: room no other write may take. */
  #held = 0;
  #refused = 0;

  constructor(bounds: SerialLineBounds, console: (line: string) => void) {
    this.#bounds = bounds;
    this.#console = console;
  }

  /**
   * Accepts one line from policyd: the ready line goes to the console, anything else is stored.
   *
   * @example
   * uart.write('policyd: ready (ver=0123abcd)');
   */
  write(line: string): void {
    if (typeof line !== 'string' || line.length > this.#bounds.maxLineChars || this.#lines.length + this.#held >= this.#bounds.maxLines) {
      this.#refused++;
      throw new Error('serial line full');
    }
    if (READY_LINE.test(line)) {
      this.#console(line);
      return;
    }
    this.#lines.push(line);
  }

  /**
   * Holds room for one line (the audit sink holds one for every allow decision in flight to logd),
   * or `undefined` when the device has none. Held room counts as used for every other write.
   *
   * @example
   * const hold = uart.reserve(); hold?.write(line); // never refused for lack of room
   */
  reserve(): UartReservation | undefined {
    if (this.#lines.length + this.#held >= this.#bounds.maxLines) return undefined;
    this.#held++;
    let open = true;
    const close = (): boolean => {
      if (!open) return false;
      open = false;
      this.#held--;
      return true;
    };
    return {
      write: (line: string): void => {
        if (!close() || typeof line !== 'string' || line.length > this.#bounds.maxLineChars) {
          this.#refused++;
          throw new Error('serial line: reservation used or line too long');
        }
        this.#lines.push(line);
      },
      release: (): void => void close(),
    };
  }

  /**
   * The stored lines, oldest first (a copy).
   *
   * @example
   * uart.lines().length; // 0 while logd takes every record
   */
  lines(): readonly string[] {
    return [...this.#lines];
  }

  /**
   * How many writes the device refused (full, or a line too long).
   *
   * @example
   * uart.refused(); // 0
   */
  refused(): number {
    return this.#refused;
  }
}
