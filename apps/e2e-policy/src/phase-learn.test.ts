import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { defaultPolicyDir } from './default-policy-dir.js';
import { runSelftest, type SelftestIo } from './run-selftest.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A temp copy of recipes/policy, changed by `edit`. */
function policyCopy(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-learn-'));
  temps.push(dir);
  cpSync(defaultPolicyDir(), dir, { recursive: true });
  edit(dir);
  return dir;
}

async function learnPhase(policyDir: string): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const io: SelftestIo = { print: (line) => lines.push(line), writeFile: () => undefined };
  const report = await runSelftest({ phases: ['learn'], policyDir }, io);
  return { code: report.exitCode, lines };
}

describe('phase learn (SELFTEST: policy learn ok)', () => {
  test('on the shipped policy the demo bundle is in learn mode and the marker is earned', async () => {
    const { code, lines } = await learnPhase(defaultPolicyDir());
    expect(lines).toContain('SELFTEST: policy learn ok');
    expect(code).toBe(0);
  });

  test('test_reject_learn_marker_without_learn_mode: the demo bundle in enforce mode fails the marker', async () => {
    const dir = policyCopy((d) => writeFileSync(join(d, 'learn.toml'), '[mode]\n"demo.testsvc" = "enforce"\n'));
    const { code, lines } = await learnPhase(dir);
    expect(lines).toContain('SELFTEST: FAIL policy learn: policyd answered deny to an ungranted capability in learn mode');
    expect(code).toBe(1);
  });

  test('test_reject_learn_marker_deny_rule_allowed: without the [deny] rule the debug capability is answered ALLOW, the marker fails', async () => {
    const dir = policyCopy((d) => {
      const authority = join(d, 'authority.toml');
      const text = readFileSync(authority, 'utf8').replace('"*" = ["debug.*"]', '');
      writeFileSync(authority, text);
    });
    const { code, lines } = await learnPhase(dir);
    expect(lines).toContain('SELFTEST: FAIL policy learn: policyd answered allow to a [deny] capability in learn mode');
    expect(code).toBe(1);
  });

  test('test_reject_learn_marker_granted: a grant of the probed capability leaves nothing to learn, the marker fails', async () => {
    const dir = policyCopy((d) => writeFileSync(join(d, 'learn.toml'), '[mode]\n"demo.testsvc" = "learn"\n[allow]\n"demo.testsvc" = ["time.read"]\n'));
    const { code, lines } = await learnPhase(dir);
    expect(lines.some((l) => l.startsWith('SELFTEST: FAIL policy learn: '))).toBe(true);
    expect(code).toBe(1);
  });
});

