import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli } from '../test-support/run-cli.js';
import { fmtCommand } from './fmt-command.js';

describe(fmtCommand, () => {
  test('the recipes are formatted (fmt --check is green)', async () => {
    const run = await runCli(['fmt', '--check'], REPO_ROOT);
    expect([run.code, run.stdout]).toEqual([0, '0 of 4 file(s) not formatted\n']);
  });

  test('--check prints a diff and exits 1; --write fixes the file and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fmt-'));
    const file = join(dir, 'a.toml');
    await writeFile(file, '[allow]\nb = ["z.y", "x.y"]\n');
    const check = await runCli(['fmt', '--check', dir]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('-b = ["z.y", "x.y"]\n+b = ["x.y", "z.y"]\n');
    const write = await runCli(['fmt', '--write', file]);
    expect(write.code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('[allow]\nb = ["x.y", "z.y"]\n');
    expect((await runCli(['fmt', dir])).code).toBe(0);
  });

  test.each([
    ['both --check and --write', ['fmt', '--check', '--write']],
    ['a missing file', ['fmt', 'fixtures/none.toml']],
    ['a file that is not TOML', ['fmt', 'fixtures/policy-broken']],
  ])('test_reject_%s: exit 2', async (_name, argv) => {
    expect((await runCli(argv)).code).toBe(2);
  });
});
