import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile-policy.js';
import type { Decision, PolicyFile, Query } from './policy.js';
import { serviceIdFromName } from './index.js';

const id = serviceIdFromName;

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, at) =>
    permutations([...items.slice(0, at), ...items.slice(at + 1)]).map((rest) => [item, ...rest]),
  );
}

function summary(d: Decision): string {
  return d.rule === undefined ? d.reason : `${d.reason} ${d.rule.service} ${d.rule.pattern} ${d.rule.file}:${d.rule.line}`;
}

const precedenceFiles: PolicyFile[] = [
  { path: 'a-allow.toml', text: '[allow]\nsvc = ["crypto.sign", "crypto.*", "ipc.route"]\n' },
  { path: 'b-deny.toml', text: '[deny]\nsvc = ["crypto.sign"]\n' },
  { path: 'c-star.toml', text: '[deny]\n"*" = ["crypto.*"]\n' },
  { path: 'd-allow-again.toml', text: '[allow]\nsvc = ["crypto.sign@hsm", "ipc.route@execd"]\n[deny]\nsvc = ["ipc.route@execd"]\n' },
];

const precedenceCases: ReadonlyArray<readonly [Query, string]> = [
  [{ subject: id('svc'), action: 'crypto.sign' }, 'deny-rule svc crypto.sign b-deny.toml:2'],
  [{ subject: id('svc'), action: 'crypto.sign', target: 'hsm' }, 'deny-rule svc crypto.sign b-deny.toml:2'],
  [{ subject: id('svc'), action: 'crypto.verify' }, 'deny-rule * crypto.* c-star.toml:2'],
  [{ subject: id('other'), action: 'crypto.verify' }, 'deny-rule * crypto.* c-star.toml:2'],
  [{ subject: id('svc'), action: 'ipc.route', target: 'execd' }, 'deny-rule svc ipc.route@execd d-allow-again.toml:4'],
  [{ subject: id('svc'), action: 'ipc.route', target: 'logd' }, 'allow svc ipc.route a-allow.toml:2'],
  [{ subject: id('svc'), action: 'ipc.route' }, 'allow svc ipc.route a-allow.toml:2'],
];

describe(compilePolicy, () => {
  describe('deny precedence in every file order', () => {
    const orders = permutations(precedenceFiles);
    for (const [query, expected] of precedenceCases) {
      it(`${query.action}@${query.target ?? '-'} by ${query.subject.toString(16)}`, () => {
        const seen = new Set(orders.map((files) => summary(compilePolicy(files).decide(query))));
        expect([...seen]).toEqual([expected]);
      });
    }
    it('the version and the rules do not depend on the file order', () => {
      const versions = new Set(orders.map((files) => compilePolicy(files).version));
      const rules = new Set(orders.map((files) => JSON.stringify(compilePolicy(files).rules)));
      expect([versions.size, rules.size]).toEqual([1, 1]);
    });
  });

  describe('wildcard edges of crypto.*', () => {
    const policy = compilePolicy([{ path: 'w.toml', text: '[allow]\nsvc = ["crypto.*"]\n' }]);
    const cases: ReadonlyArray<readonly [string, boolean]> = [
      ['crypto.sign', true],
      ['crypto.key.rotate', true],
      ['crypto', false],
      ['cryptox.sign', false],
      ['crypto.', false],
      ['xcrypto.sign', false],
    ];
    for (const [action, allow] of cases) {
      it(action, () => {
        expect(policy.decide({ subject: id('svc'), action }).allow).toBe(allow);
      });
    }
  });

  describe('specificity picks the determining rule', () => {
    const policy = compilePolicy([
      { path: 'z.toml', text: '[deny]\nsvc = ["a.*", "a.b.*", "a.b.c", "a.b.c@t"]\n' },
      { path: 'a.toml', text: '[deny]\n"*" = ["a.b.*"]\n' },
    ]);
    it('a subject wildcard outranks an equal "*" wildcard written later', () => {
      const tie = compilePolicy([
        { path: 'f1.toml', text: '[deny]\nsvc = ["x.*"]\n' },
        { path: 'f2.toml', text: '[deny]\n"*" = ["x.*", "x.y@t"]\n' },
      ]);
      const rule = tie.decide({ subject: id('svc'), action: 'x.y' }).rule;
      expect(`${rule?.service} ${rule?.file}`).toBe('svc f1.toml');
    });
    const cases: ReadonlyArray<readonly [string, string | undefined, string]> = [
      ['a.b.c', 't', 'a.b.c@t'],
      ['a.b.c', undefined, 'a.b.c'],
      ['a.b.d', undefined, 'a.b.* a.toml'],
      ['a.x', undefined, 'a.* z.toml'],
    ];
    for (const [action, target, expected] of cases) {
      it(`${action}@${target ?? '-'}`, () => {
        const rule = policy.decide({ subject: id('svc'), action, target }).rule;
        expect(`${rule?.pattern} ${rule?.file}`).toContain(expected);
      });
    }
  });

  describe('target rules and [restrict]', () => {
    const policy = compilePolicy([
      {
        path: 'r.toml',
        text: [
          '[allow]',
          'router = ["ipc.route"]',
          'granted = ["ipc.route", "ipc.route@execd"]',
          'only = ["ipc.route@logd"]',
          'wide = ["proc.*"]',
          '[deny]',
          'blocked = ["ipc.route@execd"]',
          '[restrict]',
          '"ipc.route" = ["execd"]',
          '"proc.*" = ["7"]',
        ].join('\n'),
      },
    ]);
    const cases: ReadonlyArray<readonly [string, string, string | undefined, string]> = [
      ['router', 'ipc.route', 'logd', 'allow'],
      ['router', 'ipc.route', 'execd', 'no-rule'],
      ['granted', 'ipc.route', 'execd', 'allow'],
      ['only', 'ipc.route', 'logd', 'allow'],
      ['only', 'ipc.route', 'execd', 'no-rule'],
      ['only', 'ipc.route', undefined, 'no-rule'],
      ['blocked', 'ipc.route', 'execd', 'deny-rule'],
      ['blocked', 'ipc.route', 'logd', 'no-rule'],
      ['wide', 'proc.spawn', '3', 'allow'],
      ['wide', 'proc.spawn', '7', 'no-rule'],
      ['wide', 'proc.spawn', undefined, 'allow'],
    ];
    for (const [service, action, target, reason] of cases) {
      it(`${service} ${action}@${target ?? '-'}`, () => {
        expect(policy.decide({ subject: id(service), action, target }).reason).toBe(reason);
      });
    }
  });

  describe('normalization', () => {
    const policy = compilePolicy([
      { path: 'n.toml', text: '[allow]\n" KeyStored " = [" CRYPTO.SIGN ", "IPC.Route @ ExecD"]\n' },
    ]);
    const cases: ReadonlyArray<readonly [string, string | undefined, boolean]> = [
      ['crypto.sign', undefined, true],
      ['CRYPTO.SIGN', undefined, true],
      ['  Crypto.Sign\t', undefined, true],
      ['ipc.route', ' EXECD ', true],
      ['crypto.sign\u00a0', undefined, false],
      ['\u212Arypto.sign', undefined, false],
    ];
    it('names in the file are trimmed and lowercased', () => {
      expect(policy.services).toEqual(['keystored']);
      expect(policy.rules.map((rule) => rule.pattern)).toEqual(['crypto.sign', 'ipc.route@execd']);
    });
    for (const [action, target, allow] of cases) {
      it(JSON.stringify([action, target]), () => {
        expect(policy.decide({ subject: id('keystored'), action, target }).allow).toBe(allow);
      });
    }
  });

  describe('version stability', () => {
    const base = compilePolicy([
      { path: 'p.toml', text: '[allow]\na = ["x.y", "z.*"]\nb = ["x.y@t"]\n[deny]\n"*" = ["debug.*"]\n[restrict]\n"x.y" = ["t"]\n' },
    ]).version;
    const same: ReadonlyArray<readonly [string, PolicyFile[]]> = [
      ['reformatted with comments', [{ path: 'q.toml', text: '# header\n[allow]  # grants\n  a = [\n    "z.*",  # wildcard\n    "X.Y",\n  ]\n  b=["x.y@t"]\n\n[restrict]\n"x.y" = ["t"]\n[deny]\n"*" = ["debug.*"]\n' }]],
      ['key order and duplicates', [{ path: 'p.toml', text: '[restrict]\n"x.y" = ["t", "t"]\n[deny]\n"*" = ["debug.*"]\n[allow]\nb = ["x.y@t"]\na = ["z.*", "x.y", "x.y"]\n' }]],
      ['split into files', [
        { path: '1.toml', text: '[allow]\na = ["x.y"]\n[restrict]\n"x.y" = ["t"]\n' },
        { path: '2.toml', text: '[allow]\na = ["z.*", "x.y"]\nb = ["x.y@t"]\n' },
        { path: '3.toml', text: '[deny]\n"*" = ["debug.*"]\n' },
      ]],
      ['inline tables', [{ path: 'p.toml', text: 'allow = { a = ["x.y", "z.*"], b = ["x.y@t"] }\ndeny."*" = ["debug.*"]\nrestrict = { "x.y" = ["t"] }\n' }]],
    ];
    for (const [name, files] of same) {
      it(name, () => {
        expect(compilePolicy(files).version).toBe(base);
      });
    }
    const changed: ReadonlyArray<readonly [string, string]> = [
      ['a rule removed', '[allow]\na = ["x.y"]\nb = ["x.y@t"]\n[deny]\n"*" = ["debug.*"]\n[restrict]\n"x.y" = ["t"]\n'],
      ['allow turned into deny', '[deny]\na = ["x.y", "z.*"]\nb = ["x.y@t"]\n"*" = ["debug.*"]\n[restrict]\n"x.y" = ["t"]\n'],
      ['a restriction changed', '[allow]\na = ["x.y", "z.*"]\nb = ["x.y@t"]\n[deny]\n"*" = ["debug.*"]\n[restrict]\n"x.y" = ["u"]\n'],
    ];
    for (const [name, text] of changed) {
      it(name, () => {
        expect(compilePolicy([{ path: 'p.toml', text }]).version).not.toBe(base);
      });
    }
    it('is sha256 hex', () => {
      expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
    });
  });

  describe('immutability', () => {
    const policy = compilePolicy([{ path: 'p.toml', text: '[allow]\na = ["x.y"]\n[restrict]\n"x.y" = ["t"]\n' }]);
    it('freezes the policy, its rules, lists and decisions', () => {
      expect(Object.isFrozen(policy)).toBe(true);
      expect(Object.isFrozen(policy.rules)).toBe(true);
      expect(Object.isFrozen(policy.rules[0])).toBe(true);
      expect(Object.isFrozen(policy.services)).toBe(true);
      expect(Object.isFrozen(policy.restricted[0]?.targets)).toBe(true);
      expect(Object.isFrozen(policy.decide({ subject: id('a'), action: 'x.y' }))).toBe(true);
    });
    it('test_reject_rule_mutation', () => {
      const rules = policy.rules as unknown as { effect: string }[];
      expect(() => {
        (rules[0] as { effect: string }).effect = 'deny';
      }).toThrow(TypeError);
      expect(policy.decide({ subject: id('a'), action: 'x.y' }).allow).toBe(true);
    });
  });

  describe('names and lists', () => {
    const policy = compilePolicy([
      { path: 'p.toml', text: '[allow]\n"demo.testsvc" = []\nselftest-client = ["ipc.route@execd"]\n[deny]\n"*" = ["debug.*"]\n' },
    ]);
    it('services are every key but "*", sorted, even with no grants', () => {
      expect(policy.services).toEqual(['demo.testsvc', 'selftest-client']);
    });
    const names: ReadonlyArray<readonly [bigint, string | undefined]> = [
      [0x52c6c4a34ffb3f69n, 'selftest-client'],
      [0xd5ddfde85dbf9fa6n, 'demo.testsvc'],
      [0x7b6096126000c028n, 'execd'],
      [0x866cecf1b02a841bn, undefined],
    ];
    for (const [serviceId, name] of names) {
      it(`nameOf(0x${serviceId.toString(16)})`, () => {
        expect(policy.nameOf(serviceId)).toBe(name);
      });
    }
  });
});
