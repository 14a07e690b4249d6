import { describe, expect, test } from 'vitest';
import { compilePolicy } from './compile-policy.js';
import { PolicyError } from './policy-error.js';

const VOCABULARY = {
  path: 'capabilities.toml',
  text: '[capabilities]\n"crypto.sign" = "sign with the device key"\n"debug.*" = "debugging hooks"\n"ipc.route" = "be routed"\n',
};
const compile = (text: string): ReturnType<typeof compilePolicy> => compilePolicy([VOCABULARY, { path: 'a.toml', text }]);

function errorOf(text: string): PolicyError {
  try {
    compile(text);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a PolicyError');
}

describe('the [capabilities] vocabulary', () => {
  test.each([
    ['an exact declared capability', '[allow]\na = ["crypto.sign"]'],
    ['a capability under a declared family', '[allow]\na = ["debug.dump"]'],
    ['a wildcard covering a declared name', '[deny]\na = ["crypto.*"]'],
    ['a wildcard under a declared family', '[deny]\n"*" = ["debug.x.*"]'],
    ['a targeted rule and a restriction', '[allow]\na = ["ipc.route@b"]\n[restrict]\n"ipc.route" = ["b"]'],
  ])('%s compiles', (_name, text) => {
    expect(compile(text).capabilities.map((c) => c.capability)).toEqual(['crypto.sign', 'debug.*', 'ipc.route']);
  });

  test.each([
    ['test_reject_typo', '[allow]\nvfsd = ["crypto.sing"]', 2, 9, 'did you mean "crypto.sign"?'],
    ['test_reject_undeclared_wildcard', '[deny]\na = ["net.*"]', 2, 6, 'is not a declared capability'],
    ['test_reject_undeclared_restriction', '[restrict]\n"fs.write" = ["b"]', 2, 1, '"fs.write"'],
  ])('%s', (_name, text, line, column, message) => {
    const error = errorOf(text);
    expect([error.code, error.file, error.line, error.column]).toEqual(['UNKNOWN_CAPABILITY', 'a.toml', line, column]);
    expect(error.message).toContain(message);
    expect(error.codeblock).toContain('^');
  });

  test('without a vocabulary nothing is checked (fixtures and small policies stay valid)', () => {
    const policy = compilePolicy([{ path: 'a.toml', text: '[allow]\na = ["any.thing"]' }]);
    expect(policy.capabilities).toEqual([]);
  });

  test('the vocabulary does not change the version or any decision', () => {
    const rules = { path: 'a.toml', text: '[allow]\na = ["crypto.sign"]' };
    expect(compilePolicy([VOCABULARY, rules]).version).toBe(compilePolicy([rules]).version);
  });

  test('declarations are frozen and located', () => {
    const [first] = compile('').capabilities;
    expect(first).toEqual({ capability: 'crypto.sign', description: 'sign with the device key', file: 'capabilities.toml', line: 2, column: 1 });
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(compile('').capabilities)).toBe(true);
  });

  test.each([
    ['test_reject_targeted_declaration', '[capabilities]\n"ipc.route@x" = "no"', 'BAD_PATTERN'],
    ['test_reject_non_string_description', '[capabilities]\n"a.b" = ["no"]', 'SCHEMA'],
    ['test_reject_long_description', `[capabilities]\n"a.b" = "${'x'.repeat(201)}"`, 'SCHEMA'],
  ])('%s', (_name, text, code) => {
    expect(() => compilePolicy([{ path: 'c.toml', text }])).toThrowError(expect.objectContaining({ code }));
  });
});
