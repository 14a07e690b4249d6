/**
 * Whether `text` is 1..`max` printable ASCII characters (0x20..0x7e): the shape of every label a
 * reply carries, so a label cannot smuggle control bytes into a console line.
 *
 * @internal
 * @example
 * isPrintableAscii('policyd 0.1.0', 96); // true
 */
export function isPrintableAscii(text: string, max: number): boolean {
  return text.length >= 1 && text.length <= max && /^[\x20-\x7e]+$/.test(text);
}
