import { compilePolicy, serviceIdFromName, type Policy } from '@nexus/sel';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PACKAGE_ROOT, runCli, runJson } from '../test-support/run-cli.js';
import { diffLines } from './diff-lines.js';
import { diffPolicies, OTHER_SERVICES, type DecisionChange } from './policy-diff.js';
import { actionClasses, inActionClass } from '@nexus/sel/analysis';

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
    expect(diffPolicies(before, after).changes.map(key)).toEqual(['a crypto.*@']);
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

  const A46 = 'a'.repeat(46);
  test.each([
    ['a 46-byte base whose only one-letter samples are all named', A46],
    ['a realistic dotted name', 'vendor.acme.firmware.partition.bootloader.stag'],
  ])('test_reject_hidden_wildcard: %s', (_name, base) => {
    const before = policyOf(`[allow]\nevil = ["${base}.x", "${base}.y", "${base}.z"]`);
    const after = policyOf(`[allow]\nevil = ["${base}.*"]`);
    const w = `${base}.w`;
    expect(after.decide({ subject: serviceIdFromName('evil'), action: w }).allow).toBe(true);
    expect(before.decide({ subject: serviceIdFromName('evil'), action: w }).allow).toBe(false);
    const changes = diffPolicies(before, after).changes;
    expect(changes.map((c) => [c.kind, c.service, c.action, c.target])).toContainEqual([
      'allow-added', 'evil', `${base}.*`, undefined,
    ]);
  });

  test('test_reject_hidden_other_service: a `*` deny for unnamed services is a reason change', () => {
    const before = policyOf('[allow]\na = ["x.y"]');
    const after = policyOf('[allow]\na = ["x.y"]\n[deny]\n"*" = ["z.w"]');
    const others = diffPolicies(before, after).changes.filter((c) => c.service === OTHER_SERVICES);
    expect(others.map((c) => [c.kind, c.action, c.oldReason, c.newReason])).toEqual([
      ['reason-changed', 'z.w', 'no-rule', 'deny-rule'],
    ]);
  });

  test('exact against brute force: every changed probe decision lies in a reported class (10,000 pairs)', () => {
    const bases = ['a', 'b.c', A46, 'a'.repeat(45), 'vendor.acme.firmware.partition.bootloader.stag'];
    const segs = ['x', 'y', 'z', 'a'];
    const capability = fc
      .tuple(fc.constantFrom(...bases), fc.constantFrom(...segs), fc.constantFrom('', '.*', '.x', '.x.*'))
      .map(([b, s, tail]) => (tail === '.*' ? `${b}.*` : `${b}.${s}${tail}`))
      .filter((c) => c.length <= 48);
    const pattern = fc.tuple(capability, fc.constantFrom('', '', '@t', '@u')).map(([c, t]) => c + t);
    const table = (keys: readonly string[]): fc.Arbitrary<Record<string, string[]>> =>
      fc.dictionary(fc.constantFrom(...keys), fc.array(pattern, { maxLength: 4 }), { maxKeys: 3 });
    const restrict = fc.dictionary(capability.map((c) => JSON.stringify(c)), fc.constantFrom(['t'], ['u'], ['t', 'u']), {
      maxKeys: 2,
    });
    const lines = (t: Record<string, readonly string[]>): string =>
      Object.entries(t).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n');
    const toml = fc
      .record({ allow: table(['a', 'b']), deny: table(['a', 'b', '"*"']), restrict })
      .map((p) => `[allow]\n${lines(p.allow)}\n[deny]\n${lines(p.deny)}\n[restrict]\n${lines(p.restrict)}\n`);
    const probeTails = ['x', 'y', 'z', 'a', 'q', 'qq', 'x.q', 'x.x', 'q.q'];
    const subjects: [string, bigint][] = ['a', 'b', 'c'].map((n) => [n, serviceIdFromName(n)]);
    const probeTargets = [undefined, 't', 'u', 'v'];
    const capsOf = (p: Policy): string[] => [...p.rules.map((r) => r.capability), ...p.restricted.map((r) => r.capability)];
    let pairs = 0;
    const missed: string[] = [];
    // 100 runs × 10 policies × 10 ordered pairs = 10,000 pairs; each policy is compiled and
    // brute-forced over the probes once per run.
    fc.assert(
      fc.property(fc.array(toml, { minLength: 10, maxLength: 10 }), (texts) => {
        const policies = texts.map(policyOf);
        const allCaps = policies.flatMap(capsOf);
        const probes = [
          ...new Set([
            ...allCaps.filter((c) => !c.endsWith('.*')),
            'q',
            ...[...allCaps.filter((c) => c.endsWith('.*')).map((c) => c.slice(0, -1)), ...bases.map((x) => `${x}.`)].flatMap(
              (p) => probeTails.map((t) => p + t),
            ),
          ]),
        ].filter((a) => a.length <= 48);
        const queries = probes.flatMap((action) =>
          subjects.flatMap(([name, subject]) => probeTargets.map((target) => ({ name, subject, action, target }))),
        );
        const answers = policies.map((p) => queries.map((q) => p.decide(q)));
        for (let i = 0; i < policies.length; i++) {
          for (let j = 0; j < policies.length; j++) {
            pairs++;
            const [pa, pb] = [policies[i] as Policy, policies[j] as Policy];
            const diff = diffPolicies(pa, pb);
            const caps = [...capsOf(pa), ...capsOf(pb)];
            const named = new Set(caps.filter((c) => !c.endsWith('.*')));
            const prefixes = caps.filter((c) => c.endsWith('.*')).map((c) => c.slice(0, -1));
            const classes = actionClasses(caps);
            const reported = new Map(diff.changes.map((c) => [`${c.service} ${c.action}@${c.target ?? ''}`, c]));
            queries.forEach((q, k) => {
              const before = answers[i]?.[k];
              const after = answers[j]?.[k];
              if (before?.allow === after?.allow && before?.reason === after?.reason) return;
              const cls = classes.find((c) => inActionClass(q.action, c, named, prefixes));
              const service = pa.services.includes(q.name) || pb.services.includes(q.name) ? q.name : OTHER_SERVICES;
              const target = q.target !== undefined && diff.targets.includes(q.target) ? q.target : undefined;
              const hit = reported.get(`${service} ${cls?.pattern ?? '?'}@${target ?? ''}`);
              if (hit?.oldReason !== before?.reason || hit?.newReason !== after?.reason) {
                missed.push(`${texts[i]} → ${texts[j]}: ${q.name} ${q.action}@${q.target ?? ''}`);
              }
            });
          }
        }
      }),
      { numRuns: 100 },
    );
    expect(missed.slice(0, 3)).toEqual([]);
    expect(pairs).toBe(10_000);
  }, 120_000);

  test.each([
    ['an untargeted grant collapses its targets', ['t', 'u'], [[undefined], ['t'], ['u']], '+ allow a x.y'],
    ['a targeted-only change lists its targets', ['t', 'u', 'v'], [['t'], ['u']], '+ allow a x.y@{t,u}'],
    ['an untargeted change names the targets it skips', ['t', 'u'], [[undefined], ['t']], '+ allow a x.y except @u'],
  ] as const)('diffLines: %s', (_name, targets, changed, line) => {
    const change = (target: string | undefined): DecisionChange => ({
      kind: 'allow-added', service: 'a', action: 'x.y', example: 'x.y', target,
      oldReason: 'no-rule', newReason: 'allow', oldRule: undefined, newRule: undefined,
    });
    expect(diffLines(changed.map(([t]) => change(t)), targets)).toEqual([line]);
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
