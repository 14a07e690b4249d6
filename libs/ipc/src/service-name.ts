/** Longest canonical service name, in bytes (names are ASCII, so bytes and characters agree). */
export const SERVICE_NAME_MAX_BYTES: 48 = 48;

/**
 * The canonical service-name rule as a pattern: 1..48 bytes of `[a-z0-9._-]`. For places that need
 * the rule as data (a JSON-schema `pattern`); code asks {@link isServiceName}.
 *
 * @example
 * const schema = { type: 'string', pattern: SERVICE_NAME_PATTERN.source };
 */
export const SERVICE_NAME_PATTERN: RegExp = /^[a-z0-9._-]{1,48}$/;

/**
 * Whether `name` is a canonical service name: a string of 1..48 bytes of `[a-z0-9._-]`. The kernel
 * spawns only such names, so they are the only names a subject, a route target or a bundle can
 * carry; every service checks names with this one rule instead of its own copy.
 *
 * @example
 * isServiceName('keystored');  // true
 * isServiceName('KeyStored');  // false
 * isServiceName('');           // false
 * isServiceName(42);           // false
 */
export function isServiceName(name: unknown): name is string {
  return typeof name === 'string' && SERVICE_NAME_PATTERN.test(name);
}

