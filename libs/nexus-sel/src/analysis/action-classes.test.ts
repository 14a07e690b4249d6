import { describe, expect, test } from 'vitest';
import { SEGMENT_CHARS } from '../normalize-name.js';
import { POLICY_LIMITS } from '../policy-limits.js';
import { wildcardPrefix } from '../wildcard.js';
import { actionClasses, inActionClass, representativeAction } from './action-classes.js';

describe(representativeAction, () => {
  const cases: readonly [capability: string, named: string[], expected: string | undefined][] = [
    ['crypto.sign', [], 'crypto.sign'],
    ['crypto.*', [], 'crypto.a'],
    ['crypto.*', ['crypto.a', 'crypto.b'], 'crypto.c'],
    // A 46-byte base leaves one segment byte: 38 one-letter names, all named, leave the class empty.
    [`${'a'.repeat(POLICY_LIMITS.maxNameBytes - 2)}.*`, [...SEGMENT_CHARS].map((c) => `${'a'.repeat(46)}.${c}`), undefined],
  ];
  for (const [capability, named, expected] of cases) {
    test(`${capability.length > 20 ? `${capability.slice(0, 8)}…(${capability.length} bytes)` : capability} with ${named.length} named`, () => {
      expect(representativeAction(capability, new Set(named))).toBe(expected);
    });
  }
});

describe(actionClasses, () => {
  test('exact names and the rest of each wildcard family, sorted', () => {
    expect(actionClasses(['crypto.sign', 'crypto.*', 'crypto.sign'])).toEqual([
      { pattern: 'crypto.*', witness: 'crypto.a' },
      { pattern: 'crypto.sign', witness: 'crypto.sign' },
    ]);
  });

  test('every witness belongs to its own class and to no other', () => {
    const caps = ['net.*', 'net.raw', 'net.tcp.*', 'crypto.sign'];
    const classes = actionClasses(caps);
    const named = new Set(caps.filter((c) => wildcardPrefix(c) === undefined));
    const prefixes = caps.flatMap((c) => wildcardPrefix(c) ?? []);
    for (const cls of classes) {
      expect(classes.filter((other) => inActionClass(cls.witness, other, named, prefixes))).toEqual([cls]);
    }
  });
});
