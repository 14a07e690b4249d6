import { wildcardPrefix } from '../wildcard.js';

/**
 * Whether two capability parts (`crypto.sign`, `crypto.*`) can match a common action: equal exact
 * capabilities, an exact capability under a wildcard, or two wildcards one of which extends the
 * other (`crypto.*` and `crypto.key.*`).
 *
 * @example
 * capabilitiesOverlap('crypto.*', 'crypto.sign'); // true
 * capabilitiesOverlap('crypto.*', 'crypto');      // false
 * capabilitiesOverlap('fs.*', 'crypto.*');        // false
 */
export function capabilitiesOverlap(a: string, b: string): boolean {
  const aPrefix = wildcardPrefix(a);
  const bPrefix = wildcardPrefix(b);
  if (aPrefix === undefined && bPrefix === undefined) return a === b;
  if (aPrefix === undefined) return a.startsWith(bPrefix ?? '');
  if (bPrefix === undefined) return b.startsWith(aPrefix);
  return aPrefix.startsWith(bPrefix) || bPrefix.startsWith(aPrefix);
}
