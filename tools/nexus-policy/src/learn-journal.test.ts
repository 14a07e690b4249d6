import type { AuditRecord } from '@nexus/audit';
import { compilePolicy, serviceIdFromName, type Policy, type PolicyFile } from '@nexus/sel';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { learnFromJournal, type LearnReport } from './learn-journal.js';
import { formatLearnPatch } from './learn-patch.js';
import { redecide } from './replay-journal.js';

const ALICE = serviceIdFromName('alice');
const BOB = serviceIdFromName('bob');
const BROKER = serviceIdFromName('broker');
const ZED = serviceIdFromName('zed');
const VER = `sha256:${'01'.repeat(32)}`;
const hex = (id: bigint): string => `0x${id.toString(16).padStart(16, '0')}`;

/** A default-deny decision record as policyd writes it: sender = subject = claim unless patched. */
function rec(patch: Partial<AuditRecord>): AuditRecord {
  return {
    kind: 'decision', seq: 1n, timestampNs: 1n, prevHash: new Uint8Array(32), hash: new Uint8Array(32),
    subjectId: ALICE, senderId: ALICE, claimedId: ALICE, op: 'check_cap', action: 'crypto.sign', target: undefined,
    decision: 'deny', reason: 'no-rule', rule: undefined, policyVersion: VER, nonce: 1n, ...patch,
  };
}

const POLICY = `
[allow]
alice = ["ipc.core"]
bob = ["ipc.core"]
broker = ["policy.delegate"]

[deny]
alice = ["fs.write"]
"*" = ["debug.*"]

[restrict]
"bundle.install" = ["bob"]
`;
const policy = compilePolicy([{ path: 'p/base.toml', text: POLICY }]);
const CEILING = `
[allow]
alice = ["crypto.*", "bundle.install", "fs.read@bob"]
[deny]
alice = ["crypto.sign@bob"]
`;
const ceiling = compilePolicy([{ path: 'c/base.toml', text: CEILING }]);

function summary(report: LearnReport): { grants: string[]; refused: string[] } {
  return {
    grants: report.grants.map((g) => `${g.service} ${g.pattern} x${g.count} ${g.firstSeq}..${g.lastSeq} ${g.ops.join(',')}`),
    refused: report.refused.map((r) => `${r.service ?? hex(r.subjectId)} ${r.action}${r.target === undefined ? '' : `@${r.target}`} ${r.kind}`),
  };
}

const entries = (records: readonly AuditRecord[]): { line: number; record: AuditRecord }[] =>
  records.map((record, i) => ({ line: i + 1, record: { ...record, seq: BigInt(i + 1) } }));

const CASES: readonly { name: string; records: AuditRecord[]; ceiling?: Policy; grants: string[]; refused: string[] }[] = [
  { name: 'one observed default deny: exactly that grant', records: [rec({})], grants: ['alice crypto.sign x1 1..1 check_cap'], refused: [] },
  {
    name: 'repeats of one pair are one grant with count and first/last seq, ops merged',
    records: [rec({}), rec({ op: 'check_cap_delegated', senderId: BROKER }), rec({})],
    grants: ['alice crypto.sign x3 1..3 check_cap,check_cap_delegated'],
    refused: [],
  },
  { name: 'a targeted request gives the targeted grant, never the untargeted one', records: [rec({ op: 'check_cap_delegated', senderId: BROKER, target: 'carol' })], grants: ['alice crypto.sign@carol x1 1..1 check_cap_delegated'], refused: [] },
  { name: 'a [deny] rule of the policy covers it', records: [rec({ action: 'fs.write' })], grants: [], refused: ['alice fs.write deny-rule'] },
  { name: 'a "*" deny covers a wildcard family', records: [rec({ action: 'debug.dump' })], grants: [], refused: ['alice debug.dump deny-rule'] },
  { name: 'a wildcard capability is never granted (the policy cannot read it)', records: [rec({ action: 'crypto.*' })], grants: [], refused: ['alice crypto.* malformed'] },
  { name: 'a capability not in canonical spelling is never granted as written', records: [rec({ action: 'Crypto.Sign' })], grants: [], refused: ['alice Crypto.Sign not-exact'] },
  { name: 'policy.delegate is granted by hand only', records: [rec({ action: 'policy.delegate' })], grants: [], refused: ['alice policy.delegate delegation'] },
  { name: 'a subject nobody names', records: [rec({ subjectId: ZED, senderId: ZED, claimedId: ZED })], grants: [], refused: [`${hex(ZED)} crypto.sign unknown-subject`] },
  { name: 'a restricted target without a ceiling', records: [rec({ op: 'check_cap_delegated', senderId: BROKER, action: 'bundle.install', target: 'bob' })], grants: [], refused: ['alice bundle.install@bob restricted-target'] },
  {
    name: 'a restricted target the ceiling grants only untargeted',
    records: [rec({ op: 'check_cap_delegated', senderId: BROKER, action: 'bundle.install', target: 'bob' })],
    ceiling,
    grants: [],
    refused: ['alice bundle.install@bob restricted-target'],
  },
  { name: 'an unknown v3 id as target alone', records: [rec({ op: 'check_cap_delegated', senderId: BROKER, target: hex(ZED) })], grants: [], refused: [`alice crypto.sign@${hex(ZED)} unknown-target`] },
  {
    name: 'an unknown v3 id as target is covered by the untargeted grant of the same capability',
    records: [rec({}), rec({ op: 'check_cap_delegated', senderId: BROKER, target: hex(ZED) })],
    grants: ['alice crypto.sign x2 1..2 check_cap,check_cap_delegated'],
    refused: [],
  },
  { name: 'inside the ceiling', records: [rec({ action: 'crypto.verify' })], ceiling, grants: ['alice crypto.verify x1 1..1 check_cap'], refused: [] },
  { name: 'outside the ceiling', records: [rec({ action: 'fs.read' })], ceiling, grants: [], refused: ['alice fs.read outside-ceiling'] },
  { name: 'a targeted pair the ceiling grants by name', records: [rec({ op: 'check_cap_delegated', senderId: BROKER, action: 'fs.read', target: 'bob' })], ceiling, grants: ['alice fs.read@bob x1 1..1 check_cap_delegated'], refused: [] },
  { name: 'a targeted pair the ceiling denies', records: [rec({ op: 'check_cap_delegated', senderId: BROKER, target: 'bob' })], ceiling, grants: [], refused: ['alice crypto.sign@bob deny-rule'] },
  {
    name: 'an untargeted grant the ceiling limits by target (it would reach crypto.sign@bob)',
    records: [rec({})],
    ceiling,
    grants: [],
    refused: ['alice crypto.sign outside-ceiling'],
  },
  {
    name: 'a record policyd answered with identity-mismatch is not learned from (not a default deny)',
    records: [rec({ senderId: BOB, subjectId: BOB, reason: 'identity-mismatch' }), rec({ reason: 'malformed', action: '', claimedId: undefined })],
    grants: [],
    refused: [],
  },
  {
    name: 'a recorded default deny the policy now answers identity-mismatch (delegation gone)',
    records: [rec({ op: 'check_cap_delegated', senderId: BOB })],
    grants: [],
    refused: ['bob crypto.sign identity-mismatch'],
  },
];

describe('learnFromJournal: exactly the observed pairs, refusals named', () => {
  for (const c of CASES) {
    test(c.name, () => {
      expect(summary(learnFromJournal(entries(c.records), { policy, ceiling: c.ceiling }))).toEqual({ grants: c.grants, refused: c.refused });
    });
  }

  test('a pair the policy allows by now is listed apart, not granted', () => {
    const report = learnFromJournal(entries([rec({ action: 'ipc.core', op: 'check' })]), { policy });
    expect(report.grants).toEqual([]);
    expect(report.alreadyAllowed.map((a) => a.action)).toEqual(['ipc.core']);
  });

  test('an undeclared capability is refused when the policy declares a vocabulary', () => {
    const declared = compilePolicy([{ path: 'p/base.toml', text: `${POLICY}\n[capabilities]\n"ipc.core" = "x"\n"fs.*" = "x"\n"debug.*" = "x"\n"bundle.install" = "x"\n"policy.delegate" = "x"\n` }]);
    const report = learnFromJournal(entries([rec({}), rec({ action: 'fs.read' })]), { policy: declared });
    expect(summary(report)).toEqual({ grants: ['alice fs.read x1 2..2 check_cap'], refused: ['alice crypto.sign undeclared-capability'] });
  });
});

describe('formatLearnPatch', () => {
  const source = { journal: 'a.journal', verified: 'journal ok', policyDir: 'p', policyVersion: policy.version };

  test('the patch compiles with the policy and grants exactly the learned pairs', () => {
    const report = learnFromJournal(entries([rec({}), rec({ action: 'fs.read' }), rec({ action: 'fs.write' })]), { policy });
    const patch = formatLearnPatch(report, source);
    expect(patch).toContain('[allow]\n"alice" = [\n  "crypto.sign", # x1, seq 1, op check_cap\n  "fs.read", # x1, seq 2, op check_cap\n]\n');
    expect(patch).toContain('# refused, not granted (1):\n#   alice "fs.write"  x1, seq 3, op check_cap: deny-rule: a [deny] rule of the policy covers it (p/base.toml:8:10)\n');
    const patched = compilePolicy([{ path: 'p/base.toml', text: POLICY }, { path: 'p/learned.toml', text: patch }]);
    expect(patched.rules.filter((r) => r.file === 'p/learned.toml').map((r) => `${r.service} ${r.pattern}`)).toEqual(['alice crypto.sign', 'alice fs.read']);
  });

  test('test_reject_comment_injection: a recorded capability or a path with a newline cannot add a rule', () => {
    const report = learnFromJournal(entries([rec({ action: 'x\n[allow]\nalice = ["debug.all"]' })]), { policy });
    const patch = formatLearnPatch(report, { ...source, journal: 'j\n[allow]\nbob = ["crypto.sign"]' });
    expect(report.refused.map((r) => r.kind)).toEqual(['malformed']);
    const patched = compilePolicy([{ path: 'p/base.toml', text: POLICY }, { path: 'p/learned.toml', text: patch }]);
    expect(patched.rules.filter((r) => r.file === 'p/learned.toml')).toEqual([]);
    for (const line of patch.split('\n')) expect(line === '' || line.startsWith('#')).toBe(true);
  });

  test('nothing learned: comments only, no [allow]', () => {
    expect(formatLearnPatch(learnFromJournal([], { policy }), source)).not.toContain('[allow]');
  });
});

// ---- properties -----------------------------------------------------------------------------

const SUBJECTS = ['alice', 'bob', 'carol'] as const;
const CAPS = ['ipc.core', 'crypto.sign', 'fs.read', 'bundle.install', 'debug.dump'] as const;
const TARGETS = [undefined, 'bob', 'carol', '2'] as const;

const patternArb = fc.tuple(fc.constantFrom(...CAPS, 'crypto.*', 'debug.*'), fc.constantFrom(...TARGETS)).map(([c, t]) => (t === undefined ? c : `${c}@${t}`));
const tableArb = (keys: readonly string[]): fc.Arbitrary<string> =>
  fc.array(fc.tuple(fc.constantFrom(...keys), fc.uniqueArray(patternArb, { maxLength: 4 })), { maxLength: 4 }).map((rows) => {
    const merged = new Map<string, Set<string>>();
    for (const [k, ps] of rows) for (const p of ps) (merged.get(k) ?? merged.set(k, new Set()).get(k))?.add(p);
    return [...merged].map(([k, ps]) => `${JSON.stringify(k)} = ${JSON.stringify([...ps])}`).join('\n');
  });
const restrictArb = fc.uniqueArray(fc.tuple(fc.constantFrom('bundle.install', 'fs.read', 'crypto.*'), fc.uniqueArray(fc.constantFrom('bob', 'carol', '2'), { minLength: 1 })), { selector: ([c]) => c, maxLength: 2 })
  .map((rows) => rows.map(([c, ts]) => `${JSON.stringify(c)} = ${JSON.stringify(ts)}`).join('\n'));
const policyArb = fc.tuple(tableArb(SUBJECTS), tableArb([...SUBJECTS, '*']), restrictArb).map(
  ([allow, deny, restrict]) => `[allow]\nbroker = ["policy.delegate"]\n${allow}\n[deny]\n${deny}\n[restrict]\n${restrict}\n`,
);

interface Ask {
  readonly subject: string;
  readonly viaBroker: boolean;
  readonly cap: string;
  readonly target: string | undefined;
}
const askArb: fc.Arbitrary<Ask> = fc.record({
  subject: fc.constantFrom(...SUBJECTS, 'zed'),
  viaBroker: fc.boolean(),
  cap: fc.constantFrom(...CAPS),
  target: fc.constantFrom(...TARGETS, hex(ZED)),
});

/** A journal consistent with `recording`: every record carries the outcome policyd would have written. */
function journalOf(asks: readonly Ask[], recording: Policy): { line: number; record: AuditRecord }[] {
  return asks.map((a, i) => {
    const claimed = serviceIdFromName(a.subject);
    const direct = !a.viaBroker && a.target === undefined;
    const draft = rec({
      seq: BigInt(i + 1), op: direct ? 'check_cap' : 'check_cap_delegated', action: a.cap, target: direct ? undefined : a.target,
      senderId: direct ? claimed : a.viaBroker ? BROKER : claimed, claimedId: claimed, subjectId: claimed,
    });
    const now = redecide(draft, recording);
    if (!now.ok) throw new Error(`generator wrote an unreplayable record: ${now.detail}`);
    return { line: i + 1, record: { ...draft, decision: now.decision, reason: now.reason, subjectId: now.subjectId } };
  });
}

function compileOrSkip(text: string, path: string): Policy | undefined {
  try {
    return compilePolicy([{ path, text }]);
  } catch {
    return undefined;
  }
}

/** The scenario's policy and optional ceiling compiled; a scenario whose texts do not compile is skipped. */
function scenarioPolicies(policyText: string, ceilingText: string | undefined): { base: Policy; ceil: Policy | undefined } | undefined {
  const base = compileOrSkip(policyText, 'p/base.toml');
  const ceil = ceilingText === undefined ? undefined : compileOrSkip(ceilingText, 'c/base.toml');
  fc.pre(base !== undefined && (ceilingText === undefined || ceil !== undefined));
  return base === undefined ? undefined : { base, ceil };
}

const scenarioArb = fc.record({ policyText: policyArb, ceilingText: fc.option(policyArb, { nil: undefined }), asks: fc.array(askArb, { maxLength: 25 }) });

describe('learnFromJournal: properties', () => {
  const PROPS = { numRuns: 300 };

  test('applying the patch and replaying the journal: every learned record is allowed, no other decision changes', () => {
    fc.assert(
      fc.property(scenarioArb, ({ policyText, ceilingText, asks }) => {
        const compiled = scenarioPolicies(policyText, ceilingText);
        if (compiled === undefined) return;
        const { base, ceil } = compiled;
        const journal = journalOf(asks, base);
        const report = learnFromJournal(journal, { policy: base, ceiling: ceil });
        const patch = formatLearnPatch(report, { journal: 'j', verified: 'ok', policyDir: 'p', policyVersion: base.version });
        const files: PolicyFile[] = [{ path: 'p/base.toml', text: policyText }, { path: 'p/learned.toml', text: patch }];
        const patched = compilePolicy(files);
        const learned = new Set(report.grants.flatMap((g) => g.seqs));
        for (const { record } of journal) {
          const before = redecide(record, base);
          const after = redecide(record, patched);
          if (!before.ok || !after.ok) throw new Error('journal records are replayable by construction');
          if (learned.has(record.seq)) {
            expect(after.decision).toBe('allow');
            expect(before.reason).toBe('no-rule');
          } else {
            expect([after.decision, after.reason]).toEqual([before.decision, before.reason]);
          }
        }
      }),
      PROPS,
    );
  });

  test('every observed default deny is accounted for once: granted, refused or allowed by now', () => {
    fc.assert(
      fc.property(scenarioArb, ({ policyText, ceilingText, asks }) => {
        const compiled = scenarioPolicies(policyText, ceilingText);
        if (compiled === undefined) return;
        const { base, ceil } = compiled;
        const journal = journalOf(asks, base);
        const report = learnFromJournal(journal, { policy: base, ceiling: ceil });
        const denied = journal.filter((e) => e.record.reason === 'no-rule').map((e) => e.record.seq);
        const accounted = [...report.grants, ...report.refused, ...report.alreadyAllowed].flatMap((o) => o.seqs).sort((a, b) => (a < b ? -1 : 1));
        expect(accounted).toEqual(denied);
        expect(report.observed).toBe(denied.length);
        // One grant per distinct eligible pair, never a wildcard.
        expect(new Set(report.grants.map((g) => `${g.service} ${g.pattern}`)).size).toBe(report.grants.length);
        for (const g of report.grants) expect(g.pattern).not.toContain('*');
      }),
      PROPS,
    );
  });

  test('the patched policy never allows anything the ceiling denies, nor (without a ceiling) a restricted target', () => {
    fc.assert(
      fc.property(scenarioArb, ({ policyText, ceilingText, asks }) => {
        const compiled = scenarioPolicies(policyText, ceilingText);
        if (compiled === undefined) return;
        const { base, ceil } = compiled;
        const report = learnFromJournal(journalOf(asks, base), { policy: base, ceiling: ceil });
        const patch = formatLearnPatch(report, { journal: 'j', verified: 'ok', policyDir: 'p', policyVersion: base.version });
        const patched = compilePolicy([{ path: 'p/base.toml', text: policyText }, { path: 'p/learned.toml', text: patch }]);
        for (const subject of [...SUBJECTS, 'zed']) {
          for (const action of [...CAPS, 'crypto.verify']) {
            for (const target of [...TARGETS, 'dave', hex(ZED)]) {
              const query = { subject: serviceIdFromName(subject), action, target };
              if (!patched.decide(query).allow || base.decide(query).allow) continue;
              if (ceil !== undefined) expect(ceil.decide(query).allow).toBe(true);
              else expect(target !== undefined && base.explain(query).restricted).toBe(false);
            }
          }
        }
      }),
      PROPS,
    );
  });

  test('deterministic: the order of the records does not change the patch', () => {
    fc.assert(
      fc.property(scenarioArb, ({ policyText, asks }) => {
        const base = compileOrSkip(policyText, 'p/base.toml');
        fc.pre(base !== undefined);
        if (base === undefined) return;
        const journal = journalOf(asks, base);
        const source = { journal: 'j', verified: 'ok', policyDir: 'p', policyVersion: base.version };
        const forward = formatLearnPatch(learnFromJournal(journal, { policy: base }), source);
        const grantsOnly = (patch: string): string => patch.replace(/ # x.*$/gm, '').replace(/\n# refused[\s\S]*$/, '');
        expect(grantsOnly(formatLearnPatch(learnFromJournal([...journal].reverse(), { policy: base }), source))).toBe(grantsOnly(forward));
      }),
      PROPS,
    );
  });
});

describe('learn mode and learn', () => {
  test('a learn-mode would-deny (decided deny no-rule, answered ALLOW) is learned like a default deny', () => {
    const report = learnFromJournal(entries([rec({ mode: 'learn' }), rec({ mode: 'learn', action: 'fs.read', decision: 'allow', reason: 'policy-allow' })]), { policy });
    expect(summary(report)).toEqual({ grants: ['alice crypto.sign x1 1..1 check_cap'], refused: [] });
    expect(report.grants[0]?.wouldDeny).toBe(1);
    expect(formatLearnPatch(report, { journal: 'j', verified: 'ok', policyDir: 'p', policyVersion: policy.version })).toContain('"crypto.sign", # x1 (all would-deny), seq 1, op check_cap\n');
  });
});
