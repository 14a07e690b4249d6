import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CliError } from './cli-error.js';
import { FIXTURE_LIMITS, parseFixtures } from './fixture-file.js';

const one = (body: string): string => `[[case]]\n${body}\n`;
const base = 'subject = "keystored"\naction = "crypto.sign"\n';

describe(parseFixtures, () => {
  test('two cases with comments, literal strings, escapes and an optional target', () => {
    const text = `# header\n[[case]] # first\n${base}expect = "allow" # trailing\n\n[[ case ]]\nsubject = 'execd'\naction = "ipc.\\u0072oute"\ntarget = "x"\nexpect = "deny"\nreason = "no-rule"\n`;
    expect(parseFixtures(text, 'f.toml')).toEqual([
      { line: 2, subject: 'keystored', action: 'crypto.sign', target: undefined, expect: 'allow', reason: undefined },
      { line: 7, subject: 'execd', action: 'ipc.route', target: 'x', expect: 'deny', reason: 'no-rule' },
    ]);
  });

  test('multi-line strings are ordinary TOML strings', () => {
    expect(parseFixtures(one(`${base}expect = """allow"""`), 'f.toml')).toMatchObject([{ expect: 'allow' }]);
  });

  test('test_reject_empty_file: a file without a case proves nothing (FIXTURE, line 1)', () => {
    expect(() => parseFixtures('# nothing\n', 'f.toml')).toThrow(/^f\.toml:1: no \[\[case\]\] table/);
  });

  const rejects: readonly [name: string, text: string, line: number][] = [
    ['unknown key', one(`${base}expect = "allow"\nexpected = "allow"`), 5],
    ['number value', one(`${base}expect = 1`), 4],
    ['boolean value', one(`${base}expect = true`), 4],
    ['array value', one(`${base}expect = ["allow"]`), 4],
    ['unterminated string', one(`${base}expect = "allow`), 4],
    ['text after the string', one(`${base}expect = "allow" x`), 4],
    ['bad escape', one(`${base}expect = "\\q"`), 4],
    ['duplicate key', one(`${base}subject = "execd"\nexpect = "allow"`), 4],
    ['missing expect', one(base), 1],
    ['bad expect', one(`${base}expect = "maybe"`), 1],
    ['bad reason', one(`${base}expect = "deny"\nreason = "because"`), 1],
    ['uppercase subject', one('subject = "KeyStored"\naction = "a"\nexpect = "deny"'), 1],
    ['key outside a case', `${base}`, 1],
    ['unknown table', '[case]\n', 1],
    ['not an assignment', '[[case]]\nsubject\n', 2],
    ['overlong value', one(`${base}expect = "deny"\ntarget = "${'t'.repeat(FIXTURE_LIMITS.maxValueBytes + 1)}"`), 5],
  ];
  for (const [name, text, line] of rejects) {
    test(`test_reject_${name.replaceAll(' ', '_')}: file:line ${line}`, () => {
      const error = (() => {
        try {
          parseFixtures(text, 'f.toml');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(CliError);
      expect(error).toMatchObject({ code: 'FIXTURE', file: 'f.toml', line });
      expect((error as Error).message.startsWith(`f.toml:${line}: `)).toBe(true);
    });
  }

  test('test_reject_oversized_file: TOO_LARGE before parsing', () => {
    expect(() => parseFixtures('#'.repeat(FIXTURE_LIMITS.maxBytes + 1), 'f.toml')).toThrow(
      expect.objectContaining({ code: 'TOO_LARGE' }),
    );
  });

  test('generated fixture files round-trip: every case comes back with its line', () => {
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);
    const fixture = fc.record({
      subject: name,
      action: name,
      target: fc.option(name, { nil: undefined }),
      expect: fc.constantFrom('allow' as const, 'deny' as const),
      reason: fc.option(fc.constantFrom('allow' as const, 'no-rule' as const, 'deny-rule' as const, 'malformed' as const), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(fixture, { minLength: 1, maxLength: 8 }), (cases) => {
        let text = '# generated\n';
        const lines: number[] = [];
        for (const c of cases) {
          lines.push(text.split('\n').length);
          text += `[[case]]\nsubject = ${JSON.stringify(c.subject)}\naction = '${c.action}'\n`;
          if (c.target !== undefined) text += `target = ${JSON.stringify(c.target)}\n`;
          text += `expect = "${c.expect}"\n`;
          if (c.reason !== undefined) text += `reason = "${c.reason}"\n`;
          text += '\n';
        }
        expect(parseFixtures(text, 'f.toml')).toEqual(cases.map((c, i) => ({ line: lines[i], ...c })));
      }),
      { numRuns: 300 },
    );
  });

  test('random text never throws anything but CliError', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('[', ']', '"', "'", '=', '\\', '\n', '#', 'a', ' ', 'u', 'case', 'expect') }), (text) => {
        try {
          parseFixtures(text, 'f.toml');
        } catch (e) {
          expect(e).toBeInstanceOf(CliError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
