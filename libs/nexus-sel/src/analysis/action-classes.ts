import { SEGMENT_CHARS } from '../normalize-name.js';
import { POLICY_LIMITS } from '../policy-limits.js';
import { extendsPrefix, wildcardPrefix } from '../wildcard.js';

/**
 * A set of actions that every rule of the policies compared treats alike: one exact capability a rule
 * or restriction names, or, for a wildcard `P.*`, every action under `P.` that no rule names exactly
 * and that no longer wildcard prefix covers. `witness` is one member, used to ask the policies.
 */
export interface ActionClass {
  /** `crypto.sign` for an exact class; `crypto.*` for the rest of a wildcard family. */
  readonly pattern: string;
  /** An action in the class (the pattern itself for an exact class). */
  readonly witness: string;
}

/**
 * A concrete action that stands for every action the pattern matches and no rule names more
 * specifically: the capability itself when it is exact; for `P.*`, the first single-segment action
 * `P.s` (shortest first, then in alphabet order) that `named` does not hold. A single segment has no
 * `.`, so it extends no longer prefix. `undefined` when every such action within the 48-byte bound is
 * named, i.e. the wildcard's own class is empty. The search tries at most `named.size + 1` names.
 *
 * @example
 * representativeAction('crypto.sign', new Set());          // 'crypto.sign'
 * representativeAction('crypto.*', new Set(['crypto.a'])); // 'crypto.b'
 */
export function representativeAction(capability: string, named: ReadonlySet<string>): string | undefined {
  const prefix = wildcardPrefix(capability);
  if (prefix === undefined) return capability;
  const room = POLICY_LIMITS.maxNameBytes - prefix.length;
  for (let length = 1; length <= room; length++) {
    const found = firstUnnamed(prefix, length, named);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The partition of the action space that decides every query of two policies exactly: every exact
 * capability named by a rule or restriction of either, and the remainder class of every wildcard that
 * has a member. An action outside all of them matches no rule, so both policies answer it `no-rule`.
 *
 * @example
 * actionClasses(['crypto.sign', 'crypto.*']);
 * // [{ pattern: 'crypto.*', witness: 'crypto.a' }, { pattern: 'crypto.sign', witness: 'crypto.sign' }]
 */
export function actionClasses(capabilities: Iterable<string>): ActionClass[] {
  const unique = [...new Set(capabilities)].sort();
  const named = new Set(unique.filter((cap) => wildcardPrefix(cap) === undefined));
  const classes: ActionClass[] = [];
  for (const pattern of unique) {
    const witness = representativeAction(pattern, named);
    if (witness !== undefined) classes.push({ pattern, witness });
  }
  return classes;
}

/**
 * Whether `action` belongs to `cls` given the exact names of the partition: the exact class holds only
 * its name; a wildcard class every unnamed action under its prefix whose rest is one segment or
 * extends no other wildcard of the partition.
 *
 * @example
 * inActionClass('crypto.zz', { pattern: 'crypto.*', witness: 'crypto.a' }, new Set(), []); // true
 */
export function inActionClass(
  action: string,
  cls: ActionClass,
  named: ReadonlySet<string>,
  wildcardPrefixes: readonly string[],
): boolean {
  const prefix = wildcardPrefix(cls.pattern);
  if (prefix === undefined) return action === cls.pattern;
  if (named.has(action) || !extendsPrefix(action, prefix)) return false;
  return !wildcardPrefixes.some((p) => p.length > prefix.length && extendsPrefix(action, p));
}

function firstUnnamed(prefix: string, length: number, named: ReadonlySet<string>): string | undefined {
  // Odometer over SEGMENT_CHARS^length; stops at the first unnamed name, so it visits at most
  // named.size + 1 names however long the segment.
  const digits = new Array<number>(length).fill(0);
  for (;;) {
    const action = prefix + digits.map((d) => SEGMENT_CHARS[d]).join('');
    if (!named.has(action)) return action;
    let at = length - 1;
    while (at >= 0 && digits[at] === SEGMENT_CHARS.length - 1) digits[at--] = 0;
    if (at < 0) return undefined;
    digits[at] = (digits[at] ?? 0) + 1;
  }
}
