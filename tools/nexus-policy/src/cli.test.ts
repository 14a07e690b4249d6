import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../test-support/run-cli.js';

const run = promisify(execFile);

/** Runs the built bin the way a user would; resolves with the exit code instead of rejecting. */
async function bin(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['tools/nexus-policy/dist/cli.js', ...argv], { cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('nexus-policy bin (dist/cli.js)', () => {
  beforeAll(async () => {
    await run('npx', ['tsc', '-b', 'tools/nexus-policy'], { cwd: REPO_ROOT });
  }, 120_000);

  test('check recipes/policy', async () => {
    const result = await bin('check', 'recipes/policy');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^policy recipes\/policy: ok\nversion: sha256:[0-9a-f]{64}\n/);
  });

  test('explain exits 1 on a deny', async () => {
    const result = await bin('explain', '--subject', 'selftest-client', '--action', 'crypto.sign');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('deny (no-rule)');
  });

  test('an unknown command exits 2 with usage on stderr', async () => {
    const result = await bin('frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: nexus-policy');
  });

  test('a mistyped command gets a did-you-mean; --version prints the package version', async () => {
    expect((await bin('chek')).stderr).toContain('unknown command "chek" (did you mean "check"?)');
    const version = await bin('--version');
    expect([version.code, version.stdout]).toEqual([0, expect.stringMatching(/^nexus-policy \d+\.\d+\.\d+\n$/)]);
  });
});
