import { compilePolicy, type Policy } from '@nexus/sel';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { lintBundleNames } from './lint-bundle-names.js';
import { lintPolicy } from './lint-policy.js';

const policyOf = (text: string): Policy => compilePolicy([{ path: 'p.toml', text }]);
const found = (text: string): string[] =>
  lintBundleNames(policyOf(text)).map((w) => `${w.kind} ${w.rule.service} ${w.rule.pattern} p.toml:${w.rule.line}`);

describe(lintBundleNames, () => {
  test.each([
    [
      'every granted subject restricted',
      '[allow]\nsc = ["bundle.install"]\nkeystored = ["crypto.sign"]\n[restrict]\n"bundle.install" = ["keystored", "sc"]',
      [],
    ],
    [
      'keystored granted but missing from the restrict list',
      '[allow]\nsc = ["bundle.install"]\nkeystored = ["crypto.sign", "ipc.core"]\n[restrict]\n"bundle.install" = ["sc"]',
      ['unrestricted-name keystored crypto.sign p.toml:3'],
    ],
    [
      'a restrict list but nobody holds bundle.install (the list is still incomplete)',
      '[allow]\nkeystored = ["crypto.sign"]\nvfsd = ["ipc.core"]\n[restrict]\n"bundle.install" = ["vfsd"]',
      ['unrestricted-name keystored crypto.sign p.toml:2'],
    ],
    [
      'a restrict list with a wildcard bundle.* entry',
      '[allow]\nsc = ["bundle.install"]\nkeystored = ["crypto.sign"]\n[restrict]\n"bundle.*" = ["sc"]',
      ['unrestricted-name keystored crypto.sign p.toml:3'],
    ],
    [
      'a service with only deny rules or an empty grant list is not a subject with grants',
      '[allow]\nsc = ["bundle.install"]\nempty = []\n[deny]\nlogd = ["x.y"]\n[restrict]\n"bundle.install" = ["sc"]',
      [],
    ],
    [
      'no restrict and an untargeted bundle.install grant',
      '[allow]\nsc = ["ipc.core", "bundle.install"]\nkeystored = ["crypto.sign"]\nvfsd = ["ipc.core"]',
      ['unrestricted-install sc bundle.install p.toml:2'],
    ],
    [
      'no restrict and two untargeted holders (one warning, at the first)',
      '[allow]\nb = ["bundle.*"]\na = ["bundle.install"]',
      ['unrestricted-install b bundle.* p.toml:2'],
    ],
    [
      'no restrict, only targeted bundle.install grants',
      '[allow]\nsc = ["bundle.install@demo"]\nkeystored = ["crypto.sign"]',
      [],
    ],
    [
      'no restrict, the untargeted grant is denied',
      '[allow]\nsc = ["bundle.install"]\nkeystored = ["crypto.sign"]\n[deny]\n"*" = ["bundle.*"]',
      [],
    ],
    [
      'no restrict, bundle.install.* does not cover bundle.install',
      '[allow]\nsc = ["bundle.install.*"]\nkeystored = ["crypto.sign"]',
      [],
    ],
    ['no bundle.install anywhere', '[allow]\nkeystored = ["crypto.sign"]\nvfsd = ["ipc.core"]\n[restrict]\n"ipc.route" = ["execd"]', []],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected);
  });

  test('the message names the subject, one of its grants and the fix', () => {
    const [warning] = lintBundleNames(
      policyOf('[allow]\nsc = ["bundle.install"]\nkeystored = ["crypto.sign"]\n[restrict]\n"bundle.install" = ["sc"]'),
    );
    expect(warning?.message).toBe(
      'keystored holds grants (crypto.sign at p.toml:3:14) but is not a target of [restrict] "bundle.install" ' +
        '(p.toml:5:1): a bundle installed as keystored would inherit them; add it to [restrict] "bundle.install"',
    );
  });

  test('the no-restrict message counts the other holders and says how to fix it', () => {
    const [warning] = lintBundleNames(policyOf('[allow]\nb = ["bundle.*"]\na = ["bundle.install"]'));
    expect(warning?.message).toMatch(/^b \(and 1 other service\(s\)\) may install a bundle under any name .*add \[restrict\] "bundle\.install"/);
  });

  test('lintPolicy reports the findings in location order with the other lints', () => {
    const policy = policyOf('[allow]\nlogd = ["ipc.core"]\nsc = ["bundle.install"]\n[deny]\nlogd = ["x.*"]\n[restrict]\n"bundle.install" = ["sc"]');
    expect(lintPolicy(policy).map((w) => [w.kind, w.rule.line])).toEqual([
      ['unrestricted-name', 2],
      ['dead-deny', 5],
    ]);
  });

  test('property: exactly the granted subjects left out of the restrict list are reported, once each', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1 }), fc.uniqueArray(name), (granted, restricted) => {
        const allow = granted.map((service) => `${service} = ["ipc.core"]`).join('\n');
        const list = restricted.map((service) => `"${service}"`).join(', ');
        const policy = policyOf(`[allow]\n${allow}\n[restrict]\n"bundle.install" = [${list}]`);
        const reported = lintBundleNames(policy).map((w) => w.rule.service);
        expect(reported.sort()).toEqual(granted.filter((service) => !restricted.includes(service)).sort());
      }),
    );
  });
});
