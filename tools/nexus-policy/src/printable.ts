/**
 * A field as the terminal may show it: printable ASCII stays, a backslash becomes `\\`, any other
 * byte below 0x100 (control characters, ESC, newlines, DEL, Latin-1) becomes `\xNN` and anything
 * above becomes `\u{N}`. So no record field can move the cursor, erase a line or forge a row.
 *
 * @example
 * printable('a\x1b[2K\nb'); // 'a\\x1b[2K\\x0ab'
 */
export function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp === 0x5c) out += '\\\\';
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp < 0x100) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += `\\u{${cp.toString(16)}}`;
  }
  return out;
}
