import { describe, expect, it } from 'vitest';
import { buildPolicy } from './build-policy.js';
import { compilePolicy } from './compile-policy.js';
import type { PolicyFile } from './policy.js';
import { PolicyError, type PolicyErrorCode } from './policy-error.js';

function errorOf(run: () => unknown): PolicyError {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a PolicyError');
}

type Case = readonly [name: string, files: unknown, code: PolicyErrorCode, file: string, line: number | undefined, column: number | undefined];

const big = `# ${'x'.repeat(64 * 1024)}\n`;
const manyRules = `[allow]\ns = [${'"a",'.repeat(14_000)}]\n`;

const cases: readonly Case[] = [
  ['test_reject_toml_syntax', [{ path: 'a.toml', text: '[allow]\nx = [\n' }], 'TOML_SYNTAX', 'a.toml', 3, 1],
  ['test_reject_unknown_table', [{ path: 'a.toml', text: '[allow]\nx = []\n[grant]\ny = []\n' }], 'SCHEMA', 'a.toml', 3, 1],
  ['test_reject_non_array_value', [{ path: 'a.toml', text: '[deny]\n  x = "crypto.sign"\n' }], 'SCHEMA', 'a.toml', 2, 3],
  ['test_reject_non_string_pattern', [{ path: 'a.toml', text: '[allow]\nx = ["a", 3]\n' }], 'SCHEMA', 'a.toml', 2, 11],
  ['test_reject_unknown_top_level_key', [{ path: 'a.toml', text: 'version = 2\n' }], 'SCHEMA', 'a.toml', 1, 1],
  ['test_reject_input_not_array', 'nope', 'SCHEMA', '<input>', undefined, undefined],
  ['test_reject_file_without_text', [{ path: 'a.toml' }], 'SCHEMA', 'a.toml', undefined, undefined],
  ['test_reject_bad_service_name', [{ path: 'a.toml', text: '[allow]\nok = []\n"key stored" = ["a"]\n' }], 'BAD_NAME', 'a.toml', 3, 1],
  ['test_reject_long_service_name', [{ path: 'a.toml', text: `[deny]\n${'s'.repeat(49)} = ["a"]\n` }], 'BAD_NAME', 'a.toml', 2, 1],
  ['test_reject_non_ascii_name', [{ path: 'a.toml', text: '[allow]\n"kéy" = ["a"]\n' }], 'BAD_NAME', 'a.toml', 2, 1],
  ['test_reject_bad_restricted_target', [{ path: 'a.toml', text: '[restrict]\n"ipc.route" = ["execd", "ex ecd"]\n' }], 'BAD_NAME', 'a.toml', 2, 25],
  ['test_reject_unknown_id_spelling_as_service', [{ path: 'a.toml', text: '[allow]\n"0x00000000000000ab" = ["a"]\n' }], 'BAD_NAME', 'a.toml', 2, 1],
  ['test_reject_unknown_id_spelling_as_target', [{ path: 'a.toml', text: '[allow]\nx = ["bundle.install@0X00000000000000AB"]\n' }], 'BAD_NAME', 'a.toml', 2, 6],
  ['test_reject_unknown_id_spelling_as_restricted_target', [{ path: 'a.toml', text: '[restrict]\n"bundle.install" = ["0x00000000000000ab"]\n' }], 'BAD_NAME', 'a.toml', 2, 21],
  ['test_reject_bare_star', [{ path: 'a.toml', text: '[allow]\nx = ["ok", "*"]\n' }], 'BAD_PATTERN', 'a.toml', 2, 12],
  ['test_reject_inner_star', [{ path: 'a.toml', text: '[allow]\nx = [\n  "a.*.b",\n]\n' }], 'BAD_PATTERN', 'a.toml', 3, 3],
  ['test_reject_dot_star', [{ path: 'a.toml', text: '[deny]\nx = [".*"]\n' }], 'BAD_PATTERN', 'a.toml', 2, 6],
  ['test_reject_partial_star', [{ path: 'a.toml', text: '[deny]\nx = ["crypto*"]\n' }], 'BAD_PATTERN', 'a.toml', 2, 6],
  ['test_reject_empty_segment', [{ path: 'a.toml', text: '[allow]\nx = ["a..b"]\n' }], 'BAD_PATTERN', 'a.toml', 2, 6],
  ['test_reject_empty_target', [{ path: 'a.toml', text: '[allow]\nx = ["ipc.route@"]\n' }], 'BAD_PATTERN', 'a.toml', 2, 6],
  ['test_reject_long_target', [{ path: 'a.toml', text: `[allow]\nx = ["ipc.route@${'t'.repeat(65)}"]\n` }], 'BAD_PATTERN', 'a.toml', 2, 6],
  ['test_reject_targeted_restrict_key', [{ path: 'a.toml', text: '[restrict]\n"ipc.route@execd" = []\n' }], 'BAD_PATTERN', 'a.toml', 2, 1],
  ['test_reject_oversized_file', [{ path: 'big.toml', text: big }], 'FILE_TOO_LARGE', 'big.toml', undefined, undefined],
  ['test_reject_oversized_utf8_file', [{ path: 'u.toml', text: `# ${'é'.repeat(33 * 1024)}` }], 'FILE_TOO_LARGE', 'u.toml', undefined, undefined],
  ['test_reject_too_many_rules', Array.from({ length: 5 }, (_, n) => ({ path: `${n}.toml`, text: manyRules })).reverse(), 'TOO_MANY_RULES', '4.toml', undefined, undefined],
  ['test_reject_too_many_files', Array.from({ length: 16_385 }, (_, n) => ({ path: `${n}.toml`, text: '' })), 'TOO_MANY_RULES', '<input>', undefined, undefined],
  ['test_reject_wildcard_allow', [{ path: 'a.toml', text: '[allow]\n  " * " = ["ipc.core"]\n' }], 'WILDCARD_SERVICE', 'a.toml', 2, 3],
];

describe(PolicyError, () => {
  for (const [name, files, code, file, line, column] of cases) {
    it(name, () => {
      const error = errorOf(() => compilePolicy(files as PolicyFile[]));
      expect([error.code, error.file, error.line, error.column]).toEqual([code, file, line, column]);
      const position = line === undefined ? '' : `:${line}:${column}`;
      expect(error.message.startsWith(`${file}${position}: ${code}: `)).toBe(true);
      if (line !== undefined) expect(error.codeblock).toContain('^');
    });
  }

  it.each([
    ['[alow]', 'did you mean [allow]?'],
    ['[dney]', 'did you mean [deny]?'],
    ['[restirct]', 'did you mean [restrict]?'],
  ])('test_reject_unknown_table: %s says %s', (table, hint) => {
    const error = errorOf(() => compilePolicy([{ path: 'a.toml', text: `${table}\nx = ["a.b"]\n` }]));
    expect([error.code, error.message]).toEqual(['SCHEMA', expect.stringContaining(hint)]);
  });

  it('test_reject_id_collision', () => {
    const files = [
      { path: 'b.toml', text: '[allow]\nab = ["x"]\n' },
      { path: 'a.toml', text: '[allow]\n\ncd = ["x"]\n' },
    ];
    const error = errorOf(() => buildPolicy(files, (name) => BigInt(name.length)));
    expect([error.code, error.file, error.line, error.column]).toEqual(['ID_COLLISION', 'a.toml', 3, 1]);
    expect(error.message).toContain('share service id 0x0000000000000002');
  });

  it('test_reject_id_collision_with_target', () => {
    const files = [{ path: 'a.toml', text: '[allow]\nab = ["ipc.route@cd"]\n' }];
    const error = errorOf(() => buildPolicy(files, (name) => BigInt(name.length)));
    expect([error.code, error.line, error.column]).toEqual(['ID_COLLISION', 2, 7]);
  });

  it('renders a codeblock with a caret under the column', () => {
    const error = new PolicyError('BAD_NAME', 'bad', { file: 'f.toml', text: 'one\ntwo three\nfour\n', offset: 8 });
    expect([error.line, error.column]).toEqual([2, 5]);
    expect(error.codeblock).toBe('1:  one\n2:  two three\n        ^\n3:  four\n');
    expect(error.message).toBe(`f.toml:2:5: BAD_NAME: bad\n\n${error.codeblock}`);
  });

  it('keeps the cause', () => {
    const cause = new Error('disk');
    expect(new PolicyError('IO', 'disk', { file: 'd', cause }).cause).toBe(cause);
  });
});
