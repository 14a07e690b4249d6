import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJournal } from '@nexus/audit';
import { afterAll, describe, expect, test } from 'vitest';
import { defaultPolicyDir } from './default-policy-dir.js';
import { parseArgs } from './parse-args.js';
import { runSelftest, type SelftestIo, type SelftestOptions } from './run-selftest.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A temp copy of recipes/policy, changed by `edit`. */
function policyCopy(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-shadow-'));
  temps.push(dir);
  cpSync(defaultPolicyDir(), dir, { recursive: true });
  edit(dir);
  return dir;
}

async function run(options: Partial<SelftestOptions>): Promise<{ code: number; lines: string[]; files: Map<string, string> }> {
  const lines: string[] = [];
  const files = new Map<string, string>();
  const io: SelftestIo = { print: (line) => lines.push(line), writeFile: (path, text) => void files.set(path, text) };
  const report = await runSelftest({ phases: [], policyDir: defaultPolicyDir(), ...options }, io);
  return { code: report.exitCode, lines, files };
}

/** recipes/policy without the client's "audit.read" grant. */
const dropAuditRead = (d: string): void => {
  const path = join(d, 'authority.toml');
  const text = readFileSync(path, 'utf8');
  if (!text.includes('  "audit.read",\n')) throw new Error('authority.toml no longer grants audit.read on its own line');
  writeFileSync(path, text.replace('  "audit.read",\n', ''));
};

describe('phase shadow (SELFTEST: policy shadow ok)', () => {
  test('on the shipped policy the marker is earned, and the main run prints nothing of the second system', async () => {
    const { code, lines } = await run({ phases: ['shadow'] });
    expect(lines).toEqual([expect.stringMatching(/^policyd: ready/), 'SELFTEST: policy shadow ok', 'SELFTEST: 1 markers ok']);
    expect(code).toBe(0);
  });

  test('test_reject_shadow_marker_without_the_grant: an active policy that does not grant the client audit.read fails the marker', async () => {
    const { lines } = await run({ phases: ['shadow'], policyDir: policyCopy(dropAuditRead) });
    expect(lines).toContain('SELFTEST: FAIL policy shadow: the active policy does not grant the client audit.read');
  });
});

describe('--shadow DIR', () => {
  test('parses as shadowDir', () => {
    expect(parseArgs(['--shadow', 'cand'], {})).toEqual({ phases: [], shadowDir: 'cand' });
  });

  test('a candidate that drops a grant the client uses changes no answer: every marker is still earned, the journal carries the divergences', async () => {
    const { code, lines, files } = await run({ shadowDir: policyCopy(dropAuditRead), auditOut: 'audit.journal' });
    expect(lines.filter((l) => l.startsWith('SELFTEST: FAIL'))).toEqual([]);
    expect(code).toBe(0);
    const records = readJournal(files.get('audit.journal') ?? '');
    const divergent = records.filter((r) => r.shadow !== undefined);
    expect(divergent.length).toBeGreaterThan(0);
    for (const r of divergent) expect([r.action, r.decision, r.shadow?.decision, r.shadow?.reason]).toEqual(['audit.read', 'allow', 'deny', 'no-rule']);
  });

  test('test_reject_broken_shadow: a candidate that does not compile exits 2 with its file:line:col', async () => {
    const dir = policyCopy((d) => writeFileSync(join(d, 'broken.toml'), '[allow\n'));
    const { code, lines } = await run({ shadowDir: dir });
    expect(code).toBe(2);
    expect(lines[0]).toMatch(/^SELFTEST: configuration error: .*broken\.toml:1:\d+: TOML_SYNTAX/);
  });
});
