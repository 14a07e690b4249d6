import { hasEmptySegment } from './has-empty-segment.js';
import { normalizeName } from './normalize-name.js';
import { POLICY_LIMITS } from './policy-limits.js';

/**
 * The suffix that makes a capability a dotted-prefix wildcard (`crypto.*`), the language's only
 * wildcard form (RFC-0015 §4.1): a `*` anywhere else is rejected by `parsePattern`.
 *
 * @example
 * const room = POLICY_LIMITS.maxNameBytes - WILDCARD_SUFFIX.length; // bytes left for a wildcard's base
 */
export const WILDCARD_SUFFIX = '.*';

/**
 * The prefix an action must extend for a compiled capability to match it: `crypto.` for the
 * wildcard `crypto.*`, `undefined` for an exact capability. The one reading of the `.*` rule the
 * evaluator, the compiler and `@nexus/sel/analysis` share.
 *
 * @example
 * wildcardPrefix('crypto.*');    // 'crypto.'
 * wildcardPrefix('crypto.sign'); // undefined
 */
export function wildcardPrefix(capability: string): string | undefined {
  return capability.endsWith(WILDCARD_SUFFIX) ? capability.slice(0, 1 - WILDCARD_SUFFIX.length) : undefined;
}

/**
 * Whether a compiled capability (exact or wildcard) matches a normalized action, as `decide` reads
 * it: an exact capability only itself; `P.*` every action that extends `P.` by at least one byte.
 *
 * @example
 * capabilityMatches('crypto.*', 'crypto.sign'); // true
 * capabilityMatches('crypto.*', 'crypto.');     // false
 * capabilityMatches('crypto.sign', 'crypto.sign'); // true
 */
export function capabilityMatches(capability: string, action: string): boolean {
  const prefix = wildcardPrefix(capability);
  return prefix === undefined ? capability === action : extendsPrefix(action, prefix);
}

/**
 * Whether an action lies under a wildcard's prefix: it starts with `prefix` and has at least one
 * byte more (`crypto.` itself is no action under `crypto.*`).
 *
 * @example
 * extendsPrefix('crypto.sign', 'crypto.'); // true
 * extendsPrefix('crypto.', 'crypto.');     // false
 */
export function extendsPrefix(action: string, prefix: string): boolean {
  return action.length > prefix.length && action.startsWith(prefix);
}

/**
 * Whether `text` is, as it stands, an exact capability the compiler would keep unchanged: already
 * normalized, 1..`POLICY_LIMITS.maxNameBytes` bytes of `[a-z0-9._-]`, no empty segment and so no
 * wildcard. A tool that proposes a grant of an observed action checks this, so the grant names
 * exactly that action.
 *
 * @example
 * isExactCapability('crypto.sign'); // true
 * isExactCapability('crypto.*');    // false
 * isExactCapability('Crypto.sign'); // false (not normalized)
 */
export function isExactCapability(text: string): boolean {
  return normalizeName(text, POLICY_LIMITS.maxNameBytes) === text && !hasEmptySegment(text);
}
