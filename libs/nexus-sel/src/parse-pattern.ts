import { hasEmptySegment } from './has-empty-segment.js';
import { normalizeName } from './normalize-name.js';
import { POLICY_LIMITS } from './policy-limits.js';
import { WILDCARD_SUFFIX } from './wildcard.js';

/**
 * A capability pattern split into its parts, as normalized at compile time.
 *
 * @example
 * const parsed = parsePattern('ipc.route@execd'); // typeof parsed !== 'string' → parsed.target === 'execd'
 */
export interface ParsedPattern {
  /** The whole normalized pattern, e.g. `ipc.route@execd`. */
  readonly pattern: string;
  /** The capability part, e.g. `ipc.route` or `crypto.*`. */
  readonly capability: string;
  /** For a wildcard, the prefix an action must extend (`crypto.`); `undefined` for an exact capability. */
  readonly prefix: string | undefined;
  /** The target after `@`, or `undefined`. */
  readonly target: string | undefined;
}

/**
 * Parses `CAP`, `CAP.*` or either with `@TARGET`. Returns the parts, or a string saying why the pattern
 * is rejected (a bare `*`, a `*` that is not the whole last segment, an empty segment, a bad target).
 *
 * @example
 * parsePattern('Crypto.*');          // { pattern: 'crypto.*', capability: 'crypto.*', prefix: 'crypto.', target: undefined }
 * parsePattern('ipc.route@execd');   // { ..., capability: 'ipc.route', target: 'execd' }
 * parsePattern('a.*.b');             // 'a "*" is only allowed as the whole last segment'
 */
export function parsePattern(raw: string): ParsedPattern | string {
  const at = raw.indexOf('@');
  const capRaw = at < 0 ? raw : raw.slice(0, at);
  let target: string | undefined;
  if (at >= 0) {
    target = normalizeName(raw.slice(at + 1), POLICY_LIMITS.maxTargetBytes);
    if (target === undefined) {
      return `the target must be 1..${POLICY_LIMITS.maxTargetBytes} bytes of [a-z0-9._-]`;
    }
  }
  let prefix: string | undefined;
  let capability: string | undefined;
  const trimmed = capRaw.trim();
  if (trimmed.includes('*')) {
    const base = trimmed.endsWith(WILDCARD_SUFFIX) ? trimmed.slice(0, -WILDCARD_SUFFIX.length) : undefined;
    if (base === undefined || base.includes('*')) return 'a "*" is only allowed as the whole last segment';
    const normalizedBase = normalizeName(base, POLICY_LIMITS.maxNameBytes - WILDCARD_SUFFIX.length);
    if (normalizedBase === undefined || hasEmptySegment(normalizedBase)) {
      return `a wildcard needs a non-empty capability prefix of [a-z0-9._-], at most ${POLICY_LIMITS.maxNameBytes} bytes in all`;
    }
    prefix = `${normalizedBase}.`;
    capability = `${normalizedBase}${WILDCARD_SUFFIX}`;
  } else {
    capability = normalizeName(capRaw, POLICY_LIMITS.maxNameBytes);
    if (capability === undefined || hasEmptySegment(capability)) {
      return `a capability must be 1..${POLICY_LIMITS.maxNameBytes} bytes of [a-z0-9._-] without empty segments`;
    }
  }
  return {
    pattern: target === undefined ? capability : `${capability}@${target}`,
    capability,
    prefix,
    target,
  };
}
