import { serviceIdFromName } from '@nexus/ipc';
import { describe, expect, test } from 'vitest';
import { compilePolicy } from './compile-policy.js';
import { PolicyError } from './policy-error.js';
import { TRUSTED_BASE } from './trusted-base.js';

const BASE = '[allow]\n"demo.testsvc" = ["fs.read"]\npolicyd = ["ipc.core"]\n';

function compileError(text: string, extra: { path: string; text: string }[] = []): PolicyError {
  try {
    compilePolicy([{ path: 'base.toml', text: BASE }, { path: 'mode.toml', text }, ...extra]);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('compiled');
}

describe('[mode]: per-service learn mode', () => {
  const policy = compilePolicy([{ path: 'base.toml', text: BASE }, { path: 'mode.toml', text: '[mode]\n"demo.testsvc" = "learn"\npolicyd = "enforce"\n' }]);

  test('modeOf is learn only for a service the table puts in learn mode', () => {
    expect(policy.modeOf(serviceIdFromName('demo.testsvc'))).toBe('learn');
    expect(policy.modeOf(serviceIdFromName('policyd'))).toBe('enforce');
    expect(policy.modeOf(serviceIdFromName('nobody'))).toBe('enforce');
    expect(policy.modeOf('demo.testsvc' as unknown as bigint)).toBe('enforce');
  });

  test('modes lists each entry with where it is written', () => {
    expect(policy.modes).toEqual([
      { service: 'demo.testsvc', mode: 'learn', file: 'mode.toml', line: 2, column: 1 },
      { service: 'policyd', mode: 'enforce', file: 'mode.toml', line: 3, column: 1 },
    ]);
  });

  test('the mode never changes a decision (policyd applies it)', () => {
    expect(policy.decide({ subject: serviceIdFromName('demo.testsvc'), action: 'crypto.sign' })).toEqual({ allow: false, reason: 'no-rule' });
  });

  test('learn mode enters the version; enforce (the default) does not', () => {
    const plain = compilePolicy([{ path: 'base.toml', text: BASE }]);
    const enforce = compilePolicy([{ path: 'base.toml', text: BASE }, { path: 'mode.toml', text: '[mode]\n"demo.testsvc" = "enforce"\n' }]);
    expect(enforce.version).toBe(plain.version);
    expect(policy.version).not.toBe(plain.version);
  });

  test('the same mode in two files is one entry', () => {
    const twice = compilePolicy([{ path: 'a.toml', text: '[mode]\n"demo.testsvc" = "learn"\n' }, { path: 'b.toml', text: '[mode]\n"Demo.TestSvc" = "learn"\n' }]);
    expect(twice.modes.map((m) => `${m.file} ${m.service}`)).toEqual(['a.toml demo.testsvc']);
  });
});

describe('[mode]: rejected', () => {
  test.each(TRUSTED_BASE)('test_reject_trusted_base_learn_mode: %s', (service) => {
    const error = compileError(`# the base enforces everyone else\n[mode]\n${JSON.stringify(service)} = "learn"\n`);
    expect([error.code, error.file, error.line, error.column]).toEqual(['TRUSTED_BASE_MODE', 'mode.toml', 3, 1]);
    expect(error.message).toContain('can never be in learn mode');
  });

  test('test_reject_trusted_base_learn_mode_spelling: case and spaces normalize to the base name', () => {
    expect(compileError('[mode]\n" PolicyD " = "learn"\n').code).toBe('TRUSTED_BASE_MODE');
  });

  test('the trusted base may be written as enforce', () => {
    expect(compilePolicy([{ path: 'm.toml', text: '[mode]\npolicyd = "enforce"\nlogd = "enforce"\n' }]).modes).toHaveLength(2);
  });

  test('test_reject_mode_wildcard: "*" is not a service (it would cover the base)', () => {
    expect(compileError('[mode]\n"*" = "learn"\n').code).toBe('BAD_NAME');
  });

  test.each([['"permissive"'], ['true'], ['["learn"]']])('test_reject_mode_value: %s', (value) => {
    const error = compileError(`[mode]\n"demo.testsvc" = ${value}\n`);
    expect([error.code, error.line]).toEqual(['SCHEMA', 2]);
  });

  test('test_reject_mode_conflict: learn in one file and enforce in another, whatever the order', () => {
    for (const [a, b] of [['learn', 'enforce'], ['enforce', 'learn']]) {
      const error = compileError(`[mode]\n"demo.testsvc" = "${a}"\n`, [{ path: 'zz.toml', text: `\n[mode]\n"demo.testsvc" = "${b}"\n` }]);
      expect([error.code, error.file, error.line, error.column]).toEqual(['MODE_CONFLICT', 'zz.toml', 3, 1]);
    }
  });

  test('did you mean [mode]', () => {
    expect(compileError('[mdoe]\n"demo.testsvc" = "learn"\n').message).toContain('did you mean [mode]?');
  });
});
