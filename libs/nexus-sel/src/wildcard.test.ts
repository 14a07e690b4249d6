import { describe, expect, it } from 'vitest';
import { capabilityMatches, extendsPrefix, isExactCapability, WILDCARD_SUFFIX, wildcardPrefix } from './wildcard.js';

describe(wildcardPrefix, () => {
  const cases: readonly [capability: string, prefix: string | undefined][] = [
    ['crypto.*', 'crypto.'],
    ['crypto.key.*', 'crypto.key.'],
    ['crypto.sign', undefined],
    ['crypto', undefined],
  ];
  for (const [capability, prefix] of cases) {
    it(`${capability}: ${String(prefix)}`, () => {
      expect(wildcardPrefix(capability)).toBe(prefix);
      if (prefix !== undefined) expect(`${prefix.slice(0, -1)}${WILDCARD_SUFFIX}`).toBe(capability);
    });
  }
});

describe(extendsPrefix, () => {
  const cases: readonly [action: string, prefix: string, expected: boolean][] = [
    ['crypto.sign', 'crypto.', true],
    ['crypto.key.x', 'crypto.', true],
    ['crypto.', 'crypto.', false],
    ['crypto', 'crypto.', false],
    ['cryptox.sign', 'crypto.', false],
  ];
  for (const [action, prefix, expected] of cases) {
    it(`${action} under ${prefix}: ${expected}`, () => {
      expect(extendsPrefix(action, prefix)).toBe(expected);
    });
  }
});

describe(capabilityMatches, () => {
  const cases: readonly [capability: string, action: string, expected: boolean][] = [
    ['crypto.sign', 'crypto.sign', true],
    ['crypto.sign', 'crypto.verify', false],
    ['crypto.*', 'crypto.sign', true],
    ['crypto.*', 'crypto.', false],
    ['crypto.*', 'crypto', false],
    ['crypto.*', 'cryptox.a', false],
    ['crypto.key.*', 'crypto.sign', false],
  ];
  for (const [capability, action, expected] of cases) {
    it(`${capability} ~ ${action}: ${expected}`, () => {
      expect(capabilityMatches(capability, action)).toBe(expected);
    });
  }
});

describe(isExactCapability, () => {
  const cases: readonly [text: string, expected: boolean][] = [
    ['crypto.sign', true],
    ['a_b-c.9', true],
    ['x'.repeat(48), true],
    ['x'.repeat(49), false],
    ['crypto.*', false],
    ['Crypto.sign', false],
    [' crypto.sign', false],
    ['crypto..sign', false],
    ['.crypto', false],
    ['crypto.', false],
    ['', false],
    ['kéy', false],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text.length > 20 ? `${text.slice(0, 8)}…` : text)}: ${expected}`, () => {
      expect(isExactCapability(text)).toBe(expected);
    });
  }
});
