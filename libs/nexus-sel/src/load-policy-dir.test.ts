import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceIdFromName } from './index.js';
import { loadPolicyDir } from './load-policy-dir.js';
import { PolicyError } from './policy-error.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const scratch = mkdtempSync(join(tmpdir(), 'nexus-sel-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function directory(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof PolicyError ? `${error.code} ${error.file}:${error.line ?? '-'}` : 'other';
  }
  return undefined;
}

describe(loadPolicyDir, () => {
  it('reads every *.toml file, sorted, and nothing else', () => {
    const dir = directory('mixed', {
      'b.toml': '[allow]\nsvc = ["b.cap"]\n',
      'a.toml': '[allow]\nsvc = ["a.cap"]\n',
      'notes.md': '[broken',
      'c.toml.bak': '[broken',
    });
    mkdirSync(join(dir, 'nested.toml'));
    const policy = loadPolicyDir(dir);
    expect(policy.rules.map((rule) => `${rule.file}:${rule.line}:${rule.column} ${rule.pattern}`)).toEqual([
      'a.toml:2:8 a.cap',
      'b.toml:2:8 b.cap',
    ]);
    expect(policy.decide({ subject: serviceIdFromName('svc'), action: 'b.cap' }).allow).toBe(true);
  });

  it('an empty directory is the deny-everything policy', () => {
    const policy = loadPolicyDir(directory('empty', {}));
    expect([policy.rules.length, policy.decide({ subject: 1n, action: 'ipc.core' }).reason]).toEqual([0, 'no-rule']);
  });

  it('the split fixture has the version and decisions of the whole one', () => {
    const whole = loadPolicyDir(join(fixtures, 'recipes-whole'));
    const split = loadPolicyDir(join(fixtures, 'recipes-split'));
    expect(split.version).toBe(whole.version);
    expect(split.restricted.map((r) => [r.capability, r.targets])).toEqual([['ipc.route', ['execd']]]);
  });

  it('test_reject_missing_directory', () => {
    expect(codeOf(() => loadPolicyDir(join(scratch, 'absent')))).toBe(`IO ${join(scratch, 'absent')}:-`);
  });

  it('test_reject_oversized_file_before_reading', () => {
    const dir = directory('big', { 'big.toml': `#${'x'.repeat(64 * 1024)}` });
    expect(codeOf(() => loadPolicyDir(dir))).toBe('FILE_TOO_LARGE big.toml:-');
  });

  it('test_reject_bad_file_with_its_name_and_line', () => {
    const dir = directory('bad', { 'ok.toml': '[allow]\nsvc = ["a"]\n', 'zz.toml': '[allow]\nsvc = ["a"]\n"*" = ["b"]\n' });
    expect(codeOf(() => loadPolicyDir(dir))).toBe('WILDCARD_SERVICE zz.toml:3');
  });
});
