import { compilePolicy } from '@nexus/sel';
import { describe, expect, test } from 'vitest';
import { lintPolicy } from './lint-policy.js';

describe('check warns about learn mode', () => {
  test('one learn-mode warning per learn-mode service, at its [mode] entry', () => {
    const warnings = lintPolicy(compilePolicy([{ path: 'm.toml', text: '[allow]\nalice = ["ipc.core"]\n[mode]\nalice = "learn"\nbob = "enforce"\n' }]));
    expect(warnings.map((w) => `${w.kind} ${w.rule.file}:${w.rule.line}:${w.rule.column}`)).toEqual(['learn-mode m.toml:4:1']);
  });
});
