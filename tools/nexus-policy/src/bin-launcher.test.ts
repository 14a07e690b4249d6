import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';

const pkgDir = join(import.meta.dirname, '..');
const launcher = join(pkgDir, 'bin', 'nexus-policy.mjs');
const scratch: string[] = [];

/** A copy of the launcher in a scratch package, with or without a dist/cli.js. */
function scratchPackage(cli: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-policy-bin-'));
  scratch.push(dir);
  mkdirSync(join(dir, 'bin'));
  copyFileSync(launcher, join(dir, 'bin', 'nexus-policy.mjs'));
  if (cli !== undefined) {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'cli.js'), cli);
  }
  return join(dir, 'bin', 'nexus-policy.mjs');
}

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('nexus-policy bin launcher', () => {
  test('package.json bin points at the committed launcher, not at dist', () => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin).toEqual({ 'nexus-policy': './bin/nexus-policy.mjs' });
    expect(pkg.files).toContain('bin');
  });

  test('test_reject_unbuilt: without dist it says to build and exits 2', () => {
    const run = spawnSync(process.execPath, [scratchPackage(undefined), 'check'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('nexus-policy is not built: run `npm run build`\n');
    expect(run.stdout).toBe('');
  });

  test('with dist it runs the built CLI with the arguments and its exit code', () => {
    const cli = 'process.stdout.write(JSON.stringify(process.argv.slice(2))); process.exitCode = 3;\n';
    const run = spawnSync(process.execPath, [scratchPackage(cli), 'check', '--json'], { encoding: 'utf8' });
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('["check","--json"]');
  });
});
