import { compilePolicy, type Policy } from '@nexus/sel';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PACKAGE_ROOT, runCli, runJson } from '../test-support/run-cli.js';
import { diffPolicies, type DecisionChange } from './policy-diff.js';

const policyOf = (text: string): Policy => compilePolicy([{ path: 'p.toml', text }]);
const key = (c: DecisionChange): string => `${c.service} ${c.action}@${c.target ?? ''}`;
const mirror = (c: DecisionChange): unknown => ({
  key: key(c),
  kind: c.kind === 'allow-added' ? 'allow-removed' : c.kind === 'allow-removed' ? 'allow-added' : c.kind,
  oldReason: c.newReason,
  newReason: c.oldReason,
});
const plain = (c: DecisionChange): unknown => ({ key: key(c), kind: c.kind, oldReason: c.oldReason, newReason: c.newReason });

describe(diffPolicies, () => {
  test('a policy diffed with itself is empty', () => {
    const p = policyOf('[allow]\na = ["x.y", "z.*"]\n[deny]\na = ["z.w"]');
    expect(diffPolicies(p, p).changes).toEqual([]);
  });

  test('a wildcard grant is found through a representative capability', () => {
    const before = policyOf('[allow]\na = ["x.y"]');
    const after = policyOf('[allow]\na = ["x.y", "crypto.*"]');
    expect(diffPolicies(before, after).changes.map(key)).toEqual(['a crypto.x-any@']);
  });

  test('a restricted target: a targeted grant adds exactly that target', () => {
    const before = policyOf('[allow]\na = ["ipc.route"]\n[restrict]\n"ipc.route" = ["execd"]');
    const after = policyOf('[allow]\na = ["ipc.route", "ipc.route@execd"]\n[restrict]\n"ipc.route" = ["execd"]');
    const changes = diffPolicies(before, after).changes;
    expect(changes.map((c) => [c.kind, key(c)])).toEqual([['allow-added', 'a ipc.route@execd']]);
  });

  test('a deny replacing a missing grant is a reason change, not a decision change', () => {
    const before = policyOf('[allow]\na = ["x.y"]');
    const after = policyOf('[allow]\na = ["x.y"]\n[deny]\nb = ["x.y"]');
    expect(diffPolicies(before, after).changes.map((c) => [c.kind, key(c), c.oldReason, c.newReason])).toEqual([
      ['reason-changed', 'b x.y@', 'no-rule', 'deny-rule'],
    ]);
  });

  test('diff A B and diff B A are mirror images (random policies)', () => {
    const pattern = fc.constantFrom('x.y', 'x.*', 'x.y@t', 'z.w', 'z.w@u', 'x.z');
    const table = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.array(pattern, { maxLength: 4 }), { maxKeys: 3 });
    const toml = fc.record({ allow: table, deny: table }).map(({ allow, deny }) => {
      const lines = (t: Record<string, string[]>): string =>
        Object.entries(t).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n');
      return `[allow]\n${lines(allow)}\n[deny]\n${lines(deny)}\n[restrict]\n"z.w" = ["u"]\n`;
    });
    fc.assert(
      fc.property(toml, toml, (a, b) => {
        const [pa, pb] = [policyOf(a), policyOf(b)];
        expect(diffPolicies(pa, pa).changes).toEqual([]);
        expect(diffPolicies(pa, pb).changes.map(mirror)).toEqual(diffPolicies(pb, pa).changes.map(plain));
      }),
      { numRuns: 200 },
    );
  });

  test('CLI: policy-good → policy-changed lists each change; identical folders exit 0', async () => {
    const run = await runCli(['diff', 'fixtures/policy-good', 'fixtures/policy-changed']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('+ allow updated crypto.sign\n');
    expect(run.stdout).toContain('- allow selftest-client proc.spawn\n');
    expect(run.stdout).toContain('~ reason updated fs.write: no-rule → deny-rule\n');
    const same = await runJson(['diff', 'fixtures/policy-good', 'fixtures/policy-good'], PACKAGE_ROOT);
    expect([same.code, same.json.changes]).toEqual([0, []]);
  });

  test('test_reject_one_dir: diff needs two folders (exit 2)', async () => {
    expect((await runCli(['diff', 'fixtures/policy-good'])).code).toBe(2);
  });
});
