import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePattern } from './parse-pattern.js';

const valid: ReadonlyArray<readonly [string, string, string | undefined, string | undefined]> = [
  ['crypto.sign', 'crypto.sign', undefined, undefined],
  ['Crypto.*', 'crypto.*', 'crypto.', undefined],
  ['crypto.key.*', 'crypto.key.*', 'crypto.key.', undefined],
  ['ipc.route@execd', 'ipc.route', undefined, 'execd'],
  [' IPC.Route @ ExecD ', 'ipc.route', undefined, 'execd'],
  ['proc.spawn@7', 'proc.spawn', undefined, '7'],
  ['debug.*@x', 'debug.*', 'debug.', 'x'],
];

const invalid: readonly string[] = [
  '*',
  '.*',
  'a.*.b',
  '*.a',
  'crypto*',
  'crypto.**',
  'a..b',
  '.a',
  'a.',
  '',
  'a@',
  '@b',
  'a@b@c',
  'a@b c',
  `a@${'t'.repeat(65)}`,
  'c'.repeat(49),
  `${'c'.repeat(47)}.*`,
  'kéy',
];

describe(parsePattern, () => {
  for (const [raw, capability, prefix, target] of valid) {
    it(JSON.stringify(raw), () => {
      const parsed = parsePattern(raw);
      expect(parsed).toEqual({
        pattern: target === undefined ? capability : `${capability}@${target}`,
        capability,
        prefix,
        target,
      });
    });
  }
  for (const raw of invalid) {
    it(`test_reject_${JSON.stringify(raw).slice(0, 30)}`, () => {
      expect(typeof parsePattern(raw)).toBe('string');
    });
  }

  it('never throws, and what it accepts re-parses to itself', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (raw) => {
        const parsed = parsePattern(raw);
        if (typeof parsed === 'string') return;
        expect(parsePattern(parsed.pattern)).toEqual(parsed);
        expect(parsed.capability.length).toBeLessThanOrEqual(48);
      }),
    );
  });
});
