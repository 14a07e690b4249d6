/**
 * Whether a dotted name (a capability, a wildcard prefix base or a query action, already normalized)
 * has an empty segment: it is empty, starts or ends with a dot, or has two dots in a row. Such a name
 * can never be compiled into a rule, so a query naming it is outside the name rules (malformed), and
 * a wildcard `a.*` must not match it (`a..` would otherwise extend the prefix `a.`).
 *
 * @example
 * hasEmptySegment('crypto.sign'); // false
 * hasEmptySegment('crypto..');    // true
 */
export function hasEmptySegment(name: string): boolean {
  return name.length === 0 || name.startsWith('.') || name.endsWith('.') || name.includes('..');
}
