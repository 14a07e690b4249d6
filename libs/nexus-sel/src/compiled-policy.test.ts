import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile-policy.js';
import { CompiledPolicy } from './compiled-policy.js';
import { serviceIdFromName } from './index.js';
import type { Decision, PolicyFile, Query } from './policy.js';

const policy = compilePolicy([
  {
    path: 'p.toml',
    text: '[allow]\nkeystored = ["crypto.sign", "ipc.core"]\n[deny]\n"*" = ["debug.*"]\n[restrict]\n"ipc.route" = ["execd"]\n',
  },
]);
const keystored = serviceIdFromName('keystored');

const hostile: ReadonlyArray<readonly [string, unknown]> = [
  ['null', null],
  ['undefined', undefined],
  ['a number', 42],
  ['a string', 'keystored'],
  ['an empty object', {}],
  ['a number subject', { subject: 1, action: 'crypto.sign' }],
  ['a string subject', { subject: '0x866cecf1b02a841b', action: 'crypto.sign' }],
  ['a negative subject', { subject: -1n, action: 'debug.x' }],
  ['a subject above u64', { subject: 1n << 64n, action: 'debug.x' }],
  ['a subject aliasing keystored above u64', { subject: keystored + (1n << 64n), action: 'crypto.sign' }],
  ['a negative subject aliasing keystored', { subject: keystored - (1n << 64n), action: 'crypto.sign' }],
  ['a null action', { subject: keystored, action: null }],
  ['an empty action', { subject: keystored, action: '' }],
  ['a blank action', { subject: keystored, action: '   ' }],
  ['an action of 49 bytes', { subject: keystored, action: 'c'.repeat(49) }],
  ['a 10 MB action', { subject: keystored, action: `crypto.sign${' '.repeat(10_000_000)}` }],
  ['a non-ASCII action', { subject: keystored, action: 'crypto.sígn' }],
  ['an action with a NUL', { subject: keystored, action: 'crypto.sign\u0000' }],
  ['an action with an empty middle segment', { subject: keystored, action: 'crypto..sign' }],
  ['an action with a trailing dot', { subject: keystored, action: 'crypto.sign.' }],
  ['an action with a leading dot', { subject: keystored, action: '.crypto.sign' }],
  ['a lone dot action', { subject: keystored, action: '.' }],
  ['an action extending a denied wildcard by an empty segment', { subject: keystored, action: 'debug..' }],
  ['an upper-case action with an empty segment', { subject: keystored, action: ' DEBUG..X ' }],
  ['a null target', { subject: keystored, action: 'crypto.sign', target: null }],
  ['a number target', { subject: keystored, action: 'crypto.sign', target: 7 }],
  ['an empty target', { subject: keystored, action: 'crypto.sign', target: '' }],
  ['a target of 65 bytes', { subject: keystored, action: 'crypto.sign', target: 't'.repeat(65) }],
  ['a 10 MB target', { subject: keystored, action: 'crypto.sign', target: 'x'.repeat(10_000_000) }],
  [
    'a throwing getter',
    Object.defineProperty({ subject: keystored }, 'action', {
      get(): never {
        throw new Error('boom');
      },
    }),
  ],
];

describe(CompiledPolicy, () => {
  describe('malformed queries never throw', () => {
    for (const [name, query] of hostile) {
      it(`test_reject_${name.replaceAll(' ', '_')}`, () => {
        const decision = policy.decide(query as Query);
        expect(decision).toEqual({ allow: false, reason: 'malformed' });
        expect(policy.explain(query as Query).considered).toEqual([]);
      });
    }
  });

  describe('actions with empty segments are malformed, whatever the wildcards', () => {
    const wild = compilePolicy([{ path: 'w.toml', text: '[allow]\nfoo = ["crypto.*", "ipc.route@execd"]\n' }]);
    const foo = serviceIdFromName('foo');
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ['crypto..', 'crypto..', 'malformed'],
      ['ipc..route', 'ipc..route', 'malformed'],
      ['crypto.', 'crypto.', 'malformed'],
      ['crypto.sign.', 'crypto.sign.', 'malformed'],
      ['.crypto.sign', '.crypto.sign', 'malformed'],
      ['crypto..sign', 'crypto..sign', 'malformed'],
      ['crypto.sign', 'crypto.sign', 'allow'],
      ['crypto.a.b', 'crypto.a.b', 'allow'],
    ];
    for (const [name, action, reason] of cases) {
      it(`${reason === 'malformed' ? 'test_reject_' : ''}${name}`, () => {
        expect(wild.decide({ subject: foo, action }).reason).toBe(reason);
        expect(wild.decide({ subject: foo, action, target: 'execd' }).reason).toBe(reason);
      });
    }
    it('a target is matched whole, so a target with dots never matches another by prefix', () => {
      for (const target of ['execd.', 'execd..', '.execd', 'exec']) {
        expect(wild.decide({ subject: foo, action: 'ipc.route', target }).reason).toBe('no-rule');
      }
      expect(wild.decide({ subject: foo, action: 'ipc.route', target: ' EXECD ' }).reason).toBe('allow');
    });
  });

  describe('allow path', () => {
    it('returns the same frozen decision every time (no allocation per decision)', () => {
      const first = policy.decide({ subject: keystored, action: 'crypto.sign' });
      expect(policy.decide({ subject: keystored, action: 'crypto.sign' })).toBe(first);
      expect(policy.decide({ subject: keystored, action: ' Crypto.Sign ' })).toBe(first);
      expect(first.rule?.pattern).toBe('crypto.sign');
    });
    it('a subject unknown to the policy is denied by default', () => {
      expect(policy.decide({ subject: 0n, action: 'crypto.sign' }).reason).toBe('no-rule');
    });
  });

  describe('explain', () => {
    it('lists the matching rules of the subject and of "*", most specific first', () => {
      const explanation = policy.explain({ subject: keystored, action: 'debug.trace' });
      expect(explanation.decision.reason).toBe('deny-rule');
      expect(explanation.considered.map((rule) => `${rule.service} ${rule.pattern}`)).toEqual(['* debug.*']);
      expect(explanation.truncated).toBe(false);
    });
    it('says when a target is restricted', () => {
      const explanation = policy.explain({ subject: keystored, action: 'IPC.route', target: 'execd' });
      expect([explanation.action, explanation.target, explanation.restricted]).toEqual(['ipc.route', 'execd', true]);
    });
    it('bounds the considered list', () => {
      const many = compilePolicy([
        { path: 'm.toml', text: `[allow]\ns = [${Array.from({ length: 100 }, (_, n) => `"a@t${n}"`).join(', ')}]\n` },
      ]);
      const explanation = many.explain({ subject: serviceIdFromName('s'), action: 'a', target: 't3' });
      expect([explanation.considered.length, explanation.truncated, explanation.decision.allow]).toEqual([64, true, true]);
    });
  });

  describe('agrees with a naive reference evaluator', () => {
    for (const [name, alphabet] of [['broad', broad], ['narrow', narrow]] as const) {
      it(`on random ${name} policies and queries`, () => {
        fc.assert(
          fc.property(policyArb(alphabet), fc.array(queryArb(alphabet), { minLength: 1, maxLength: 30 }), (spec, queries) => {
            const compiled = compilePolicy(spec.files);
            const reversed = compilePolicy([...spec.files].reverse());
            expect(reversed.version).toBe(compiled.version);
            for (const query of queries) {
              const q = { subject: serviceIdFromName(query.subject), action: query.action, target: query.target };
              const expected = reference(spec.rules, spec.restricts, query);
              expect(summary(compiled.decide(q)), JSON.stringify({ spec: spec.files, query })).toBe(expected);
              expect(summary(reversed.decide(q))).toBe(expected);
            }
          }),
          { numRuns: alphabet === broad ? 400 : 1000 },
        );
      });
    }
  });

  describe('never throws', () => {
    it('on arbitrary query objects', () => {
      fc.assert(
        fc.property(fc.anything(), fc.anything(), fc.anything(), (subject, action, target) => {
          const decision = policy.decide({ subject, action, target } as unknown as Query);
          expect(typeof decision.allow).toBe('boolean');
        }),
      );
    });
    it('on arbitrary u64 subjects and strings', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: -1n, max: 1n << 64n }), fc.string(), fc.option(fc.string(), { nil: undefined }), (subject, action, target) => {
          const decision = policy.decide({ subject, action, target });
          expect(decision.allow).toBe(decision.reason === 'allow');
        }),
      );
    });
  });
});

// ---- the reference: a direct reading of RFC-0015 §5.1, with no index and no precomputation ----

interface RefRule {
  readonly file: string;
  readonly line: number;
  readonly effect: 'allow' | 'deny';
  readonly service: string;
  readonly cap: string;
  readonly target: string | undefined;
}
interface RefRestrict {
  readonly cap: string;
  readonly target: string;
}
interface RefQuery {
  readonly subject: string;
  readonly action: string;
  readonly target: string | undefined;
}

function capMatches(cap: string, action: string): boolean {
  if (!cap.endsWith('.*')) return cap === action;
  const prefix = cap.slice(0, -1);
  return action.startsWith(prefix) && action.length > prefix.length;
}

function norm(value: string): string | undefined {
  const trimmed = value.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '');
  return /^[A-Za-z0-9._-]{1,64}$/.test(trimmed) ? trimmed.toLowerCase() : undefined;
}

/** Specificity as a tuple, compared left to right; then file and line. */
function key(rule: RefRule): readonly (number | string)[] {
  const wildcard = rule.cap.endsWith('.*');
  return [wildcard ? 0 : 1, wildcard ? rule.cap.length : 0, rule.target === undefined ? 0 : 1];
}

function better(a: RefRule, b: RefRule): boolean {
  const [ka, kb] = [key(a), key(b)];
  for (let at = 0; at < ka.length; at++) if (ka[at] !== kb[at]) return (ka[at] as number) > (kb[at] as number);
  if (a.file !== b.file) return a.file < b.file;
  return a.line < b.line;
}

function reference(rules: readonly RefRule[], restricts: readonly RefRestrict[], query: RefQuery): string {
  const action = norm(query.action);
  const target = query.target === undefined ? undefined : norm(query.target);
  if (action === undefined || action.length > 48 || action.split('.').includes('')) return 'malformed';
  if (query.target !== undefined && target === undefined) return 'malformed';
  const restricted = target !== undefined && restricts.some((r) => r.target === target && capMatches(r.cap, action));
  const applies = (rule: RefRule): boolean =>
    (rule.service === query.subject || (rule.effect === 'deny' && rule.service === '*')) &&
    capMatches(rule.cap, action) &&
    (rule.target !== undefined ? rule.target === target : rule.effect === 'deny' || !restricted);
  for (const effect of ['deny', 'allow'] as const) {
    let best: RefRule | undefined;
    for (const rule of rules) if (rule.effect === effect && applies(rule) && (best === undefined || better(rule, best))) best = rule;
    if (best !== undefined) return describeRule(effect === 'deny' ? 'deny-rule' : 'allow', best);
  }
  return 'no-rule';
}

function describeRule(reason: string, rule: RefRule): string {
  return `${reason} ${rule.service} ${rule.cap}${rule.target === undefined ? '' : `@${rule.target}`} ${rule.file}:${rule.line}`;
}

function summary(decision: Decision): string {
  const rule = decision.rule;
  return rule === undefined ? decision.reason : `${decision.reason} ${rule.service} ${rule.pattern} ${rule.file}:${rule.line}`;
}

// ---- generators: tiny alphabets so that rules collide, nest and tie ----

interface Alphabet {
  readonly services: readonly string[];
  readonly caps: readonly string[];
  readonly targets: readonly string[];
  readonly actions: readonly string[];
  readonly queryTargets: readonly string[];
  readonly minRules: number;
  /** Listing `deny` twice makes deny ties (the hard case) twice as likely. */
  readonly effects: readonly ('allow' | 'deny')[];
}

const broad: Alphabet = {
  services: ['a', 'b', 'c'],
  caps: ['x', 'x.y', 'x.y.z', 'xy', 'x.*', 'x.y.*', 'q.r'],
  targets: ['t', 'u'],
  actions: ['x', 'x.y', 'x.y.z', 'x.y.z.w', 'xy', 'xy.z', 'q.r', 'X.Y', ' x.y ', 'x.', 'x..', 'x..y', '.x.y', 'x.y.', '.', ''],
  queryTargets: ['t', 'u', 'v', 'T', ' u', ''],
  minRules: 0,
  effects: ['allow', 'deny'],
};
// One service against "*", few patterns: makes ties between subject and "*" wildcards common.
const narrow: Alphabet = {
  services: ['a'],
  caps: ['x.y', 'x.y.z', 'x.*', 'x.y.*'],
  targets: ['t'],
  actions: ['x.y', 'x.y.z', 'X.Y.Z', 'x.y..', 'x..y.z'],
  queryTargets: ['t', 'u'],
  minRules: 6,
  effects: ['allow', 'deny', 'deny'],
};

function policyArb(alphabet: Alphabet): fc.Arbitrary<{ files: PolicyFile[]; rules: RefRule[]; restricts: RefRestrict[] }> {
  const ruleArb = fc.record({
    file: fc.constantFrom('f1.toml', 'f2.toml', 'f3.toml'),
    effect: fc.constantFrom(...alphabet.effects),
    service: fc.constantFrom(...alphabet.services, '*'),
    cap: fc.constantFrom(...alphabet.caps),
    target: fc.option(fc.constantFrom(...alphabet.targets), { nil: undefined }),
  });
  const restrictArb = fc.record({
    file: fc.constantFrom('f1.toml', 'f2.toml'),
    cap: fc.constantFrom(...alphabet.caps),
    target: fc.constantFrom(...alphabet.targets),
  });
  return fc.tuple(fc.array(ruleArb, { minLength: alphabet.minRules, maxLength: 12 }), fc.array(restrictArb, { maxLength: 3 })).map(([raw, restricts]) => {
    const drafts = raw.filter((rule) => rule.effect === 'deny' || rule.service !== '*');
    const rules: RefRule[] = [];
    const files: PolicyFile[] = [];
    for (const file of ['f1.toml', 'f2.toml', 'f3.toml']) {
      const lines: string[] = [];
      for (const effect of ['allow', 'deny'] as const) {
        const mine = drafts.filter((rule) => rule.file === file && rule.effect === effect);
        if (mine.length === 0) continue;
        lines.push(`[${effect}]`);
        for (const service of [...alphabet.services, '*']) {
          const grants = mine.filter((rule) => rule.service === service);
          if (grants.length === 0) continue;
          lines.push(`"${service}" = [`);
          for (const grant of grants) {
            lines.push(`  "${grant.cap}${grant.target === undefined ? '' : `@${grant.target}`}",`);
            rules.push({ ...grant, line: lines.length });
          }
          lines.push(']');
        }
      }
      const mine = restricts.filter((r) => r.file === file);
      if (mine.length > 0) {
        lines.push('[restrict]');
        for (const cap of new Set(mine.map((r) => r.cap))) {
          lines.push(`"${cap}" = [${mine.filter((r) => r.cap === cap).map((r) => `"${r.target}"`).join(', ')}]`);
        }
      }
      files.push({ path: file, text: `${lines.join('\n')}\n` });
    }
    return { files, rules, restricts };
  });
}

function queryArb(alphabet: Alphabet): fc.Arbitrary<RefQuery> {
  return fc.record({
    subject: fc.constantFrom(...alphabet.services, 'zz'),
    action: fc.constantFrom(...alphabet.actions),
    target: fc.option(fc.constantFrom(...alphabet.queryTargets), { nil: undefined }),
  });
}
