import { POLICY_LIMITS } from './policy-limits.js';

/**
 * The characters a normalized name holds besides the `.` between its segments (`[a-z0-9_-]`), in the
 * order tools enumerate them (letters, digits, `_`, `-`). `normalizeName` accepts exactly these, their
 * ASCII uppercase and `.`; its test checks the two agree.
 *
 * @example
 * [...'crypto'].every((c) => SEGMENT_CHARS.includes(c)); // true
 */
export const SEGMENT_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-';

function isAsciiSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function isNameChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z, lowercased below
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2e ||
    code === 0x5f ||
    code === 0x2d
  );
}

/**
 * Normalizes a service name, capability or target (trim ASCII whitespace, ASCII lowercase) and checks
 * it is 1..`maxBytes` bytes of `[a-z0-9._-]`. Returns `undefined` for anything else, including
 * non-strings; the raw length is checked first, so a huge string costs nothing.
 *
 * @example
 * normalizeName(' KeyStored ', 48); // 'keystored'
 * normalizeName('kéy', 48);         // undefined
 */
export function normalizeName(raw: unknown, maxBytes: number): string | undefined {
  if (typeof raw !== 'string' || raw.length > POLICY_LIMITS.maxRawQueryChars) return undefined;
  let start = 0;
  let end = raw.length;
  while (start < end && isAsciiSpace(raw.charCodeAt(start))) start++;
  while (end > start && isAsciiSpace(raw.charCodeAt(end - 1))) end--;
  if (end === start || end - start > maxBytes) return undefined;
  let upper = false;
  for (let at = start; at < end; at++) {
    const code = raw.charCodeAt(at);
    if (!isNameChar(code)) return undefined;
    if (code <= 0x5a && code >= 0x41) upper = true;
  }
  const trimmed = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  // Only ASCII letters remain here, so toLowerCase cannot map anything into the name set.
  return upper ? trimmed.toLowerCase() : trimmed;
}
