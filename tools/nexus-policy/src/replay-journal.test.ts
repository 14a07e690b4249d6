import type { AuditRecord } from '@nexus/audit';
import { compilePolicy, serviceIdFromName, type Policy } from '@nexus/sel';
import { describe, expect, test } from 'vitest';
import { redecide, replayJournal, type RedecideResult } from './replay-journal.js';

const POLICY = `
[allow]
alice = ["ipc.core", "ipc.route@bob", "proc.spawn@1", "crypto.sign", "bundle.install"]
broker = ["policy.delegate"]
bob = ["ipc.core"]

[deny]
alice = ["proc.spawn@2"]

[restrict]
"bundle.install" = ["bob"]
`;

const candidate: Policy = compilePolicy([{ path: 'c/base.toml', text: POLICY }]);
const ALICE = serviceIdFromName('alice');
const BOB = serviceIdFromName('bob');
const BROKER = serviceIdFromName('broker');
const CAROL = serviceIdFromName('carol');
const OLD = `sha256:${'01'.repeat(32)}`;
const hex = (id: bigint): string => `0x${id.toString(16).padStart(16, '0')}`;

/** A decision record as policyd writes it: sender = subject = claim unless patched. */
function rec(patch: Partial<AuditRecord>): AuditRecord {
  return {
    kind: 'decision', seq: 1n, timestampNs: 1n, prevHash: new Uint8Array(32), hash: new Uint8Array(32),
    subjectId: ALICE, senderId: ALICE, claimedId: ALICE, op: 'check', action: 'ipc.core', target: undefined,
    decision: 'allow', reason: 'policy-allow', rule: undefined, policyVersion: OLD, nonce: 1n, ...patch,
  };
}

type Expected = { decision: 'allow' | 'deny'; reason: string; subject?: bigint; rule?: string } | { unreplayable: string };

function shape(r: RedecideResult): Expected {
  if (!r.ok) return { unreplayable: r.kind };
  return { decision: r.decision, reason: r.reason, subject: r.subjectId, ...(r.rule ? { rule: `${r.rule.file}:${r.rule.line}:${r.rule.column}` } : {}) };
}

const CASES: readonly { name: string; record: AuditRecord; expected: Expected }[] = [
  { name: 'check: the sender holds ipc.core', record: rec({}), expected: { decision: 'allow', reason: 'policy-allow', subject: ALICE, rule: 'c/base.toml:3:10' } },
  { name: 'check: an unknown subject is a default deny', record: rec({ subjectId: CAROL, senderId: CAROL, claimedId: CAROL }), expected: { decision: 'deny', reason: 'no-rule', subject: CAROL } },
  { name: 'route: a targeted grant', record: rec({ op: 'route', action: 'ipc.route', target: 'bob' }), expected: { decision: 'allow', reason: 'policy-allow', subject: ALICE, rule: 'c/base.toml:3:22' } },
  { name: 'route: another target is a default deny', record: rec({ op: 'route', action: 'ipc.route', target: 'carol' }), expected: { decision: 'deny', reason: 'no-rule', subject: ALICE } },
  { name: 'exec: the image id is the target, a deny rule wins', record: rec({ op: 'exec', action: 'proc.spawn', target: '2' }), expected: { decision: 'deny', reason: 'deny-rule', subject: ALICE, rule: 'c/base.toml:8:10' } },
  { name: 'exec: a granted image', record: rec({ op: 'exec', action: 'proc.spawn', target: '1' }), expected: { decision: 'allow', reason: 'policy-allow', subject: ALICE, rule: 'c/base.toml:3:39' } },
  { name: 'check_cap: the recorded capability', record: rec({ op: 'check_cap', action: 'crypto.sign' }), expected: { decision: 'allow', reason: 'policy-allow', subject: ALICE, rule: 'c/base.toml:3:55' } },
  { name: 'delegated: a sender holding policy.delegate asks for the claim', record: rec({ op: 'check_cap_delegated', action: 'crypto.sign', senderId: BROKER }), expected: { decision: 'allow', reason: 'policy-allow', subject: ALICE, rule: 'c/base.toml:3:55' } },
  { name: 'delegated: a sender without policy.delegate is an identity mismatch', record: rec({ op: 'check_cap_delegated', action: 'crypto.sign', senderId: BOB, subjectId: ALICE }), expected: { decision: 'deny', reason: 'identity-mismatch', subject: BOB } },
  { name: 'identity-mismatch record re-decided: the candidate grants delegation', record: rec({ op: 'check_cap', action: 'crypto.sign', senderId: BROKER, subjectId: BROKER, decision: 'deny', reason: 'identity-mismatch' }), expected: { decision: 'allow', reason: 'policy-allow', subject: ALICE, rule: 'c/base.toml:3:55' } },
  { name: 'identity-mismatch record stays one without delegation', record: rec({ op: 'route', action: 'ipc.route', target: 'bob', senderId: BOB, subjectId: BOB, decision: 'deny', reason: 'identity-mismatch' }), expected: { decision: 'deny', reason: 'identity-mismatch', subject: BOB } },
  { name: 'restricted target: the untargeted grant does not cover it', record: rec({ op: 'check_cap_delegated', action: 'bundle.install', target: 'bob', senderId: BROKER }), expected: { decision: 'deny', reason: 'no-rule', subject: ALICE } },
  { name: 'unrestricted target: the untargeted grant covers it', record: rec({ op: 'check_cap_delegated', action: 'bundle.install', target: 'carol', senderId: BROKER }), expected: { decision: 'allow', reason: 'policy-allow', subject: ALICE, rule: 'c/base.toml:3:70' } },
  { name: 'delegated v1/v2: no target', record: rec({ op: 'check_cap_delegated', action: 'bundle.install', senderId: BROKER }), expected: { decision: 'allow', reason: 'policy-allow', subject: ALICE, rule: 'c/base.toml:3:70' } },
  { name: 'version: no query', record: rec({ op: 'version', action: '', claimedId: undefined }), expected: { decision: 'allow', reason: 'policy-allow', subject: ALICE } },
  { name: 'a 0x target the candidate does not know: untargeted rules only', record: rec({ op: 'route', action: 'ipc.route', target: hex(CAROL) }), expected: { decision: 'deny', reason: 'no-rule', subject: ALICE } },
  { name: 'a 0x target without nonce (v1) is a literal', record: rec({ op: 'route', action: 'ipc.route', target: hex(BOB), nonce: undefined }), expected: { decision: 'deny', reason: 'no-rule', subject: ALICE } },
  { name: 'a 0x target the candidate knows, with nonce: v2 literal or v3 id', record: rec({ op: 'route', action: 'ipc.route', target: hex(BOB) }), expected: { unreplayable: 'ambiguous-target' } },
  { name: 'a frame that did not decode', record: rec({ op: 'check_cap', action: '', claimedId: undefined, decision: 'deny', reason: 'malformed' }), expected: { unreplayable: 'not-decoded' } },
  { name: 'a frame too large', record: rec({ op: 'unknown', action: '', claimedId: undefined, decision: 'deny', reason: 'too-large' }), expected: { unreplayable: 'not-decoded' } },
  { name: 'an op policyd does not serve', record: rec({ op: 'unknown', action: '', claimedId: undefined, decision: 'deny', reason: 'unsupported' }), expected: { unreplayable: 'unsupported-op' } },
  { name: 'an unknown op with a policy reason', record: rec({ op: 'unknown', decision: 'deny', reason: 'no-rule' }), expected: { unreplayable: 'unsupported-op' } },
  { name: 'policyd answered without a policy', record: rec({ decision: 'deny', reason: 'policy-unavailable' }), expected: { unreplayable: 'no-decision' } },
  { name: 'check asking another capability', record: rec({ action: 'crypto.sign' }), expected: { unreplayable: 'malformed-record' } },
  { name: 'check with a target', record: rec({ target: 'bob' }), expected: { unreplayable: 'malformed-record' } },
  { name: 'exec with a non-image target', record: rec({ op: 'exec', action: 'proc.spawn', target: 'bob' }), expected: { unreplayable: 'malformed-record' } },
  { name: 'exec image 256', record: rec({ op: 'exec', action: 'proc.spawn', target: '256' }), expected: { unreplayable: 'malformed-record' } },
  { name: 'route without a target', record: rec({ op: 'route', action: 'ipc.route' }), expected: { unreplayable: 'malformed-record' } },
  { name: 'check_cap without a capability', record: rec({ op: 'check_cap', action: '' }), expected: { unreplayable: 'malformed-record' } },
  { name: 'version asking a capability', record: rec({ op: 'version', action: 'ipc.core', claimedId: undefined }), expected: { unreplayable: 'malformed-record' } },
  { name: 'version with a claim', record: rec({ op: 'version', action: '' }), expected: { unreplayable: 'malformed-record' } },
  { name: 'a non-version op without a claim', record: rec({ claimedId: undefined }), expected: { unreplayable: 'malformed-record' } },
  { name: 'subject neither sender nor claim', record: rec({ subjectId: CAROL }), expected: { unreplayable: 'malformed-record' } },
  { name: 'identity-mismatch although the claim is the sender', record: rec({ decision: 'deny', reason: 'identity-mismatch' }), expected: { unreplayable: 'malformed-record' } },
  { name: 'identity-mismatch recorded for the claim', record: rec({ senderId: BOB, decision: 'deny', reason: 'identity-mismatch' }), expected: { unreplayable: 'malformed-record' } },
  { name: 'allow with a deny reason', record: rec({ reason: 'no-rule' }), expected: { unreplayable: 'malformed-record' } },
  { name: 'deny with reason policy-allow', record: rec({ decision: 'deny' }), expected: { unreplayable: 'malformed-record' } },
  { name: 'a checkpoint is not a decision', record: rec({ kind: 'checkpoint' }), expected: { unreplayable: 'malformed-record' } },
];

describe('redecide: policyd op semantics from the recorded fields', () => {
  for (const { name, record, expected } of CASES) {
    test(name, () => {
      expect(shape(redecide(record, candidate))).toEqual(expected);
    });
  }
});

describe('replayJournal', () => {
  const OTHER = `sha256:${'02'.repeat(32)}`;
  const entries = [
    rec({ seq: 1n }),
    rec({ seq: 2n, op: 'check_cap', action: 'crypto.sign', decision: 'deny', reason: 'no-rule', policyVersion: OTHER }),
    rec({ seq: 3n, op: 'check_cap', action: 'crypto.sign', decision: 'deny', reason: 'no-rule', policyVersion: OTHER }),
    rec({ seq: 4n, kind: 'sink-switch', sink: 'uart' }),
    rec({ seq: 5n, op: 'check_cap', action: 'crypto.sign', decision: 'deny', reason: 'no-rule', policyVersion: OTHER }),
    rec({ seq: 6n, op: 'check_cap', action: 'crypto.sign', decision: 'deny', reason: 'no-rule' }),
    rec({ seq: 7n, op: 'unknown', action: '', claimedId: undefined, decision: 'deny', reason: 'unsupported' }),
    rec({ seq: 8n, action: 'crypto.sign' }),
  ].map((record, i) => ({ line: i + 1, record }));
  const report = replayJournal(entries, candidate);

  test('counts every decision record once: unchanged + changed + skipped; control records are not decisions', () => {
    expect(report.decisions).toBe(7);
    expect(report.unchanged + report.changes.length + report.skipped.length).toBe(7);
    expect(report.unchanged).toBe(1);
  });
  test('records of several policy versions are each compared to their own outcome and grouped per version', () => {
    expect(report.versions).toEqual([OLD, OTHER]);
    expect(report.changes.map((c) => c.seq)).toEqual([2n, 3n, 5n, 6n]);
    expect(report.groups.map((g) => [g.policyVersion, g.count, g.firstSeq, g.lastSeq])).toEqual([
      [OTHER, 3, 2n, 5n],
      [OLD, 1, 6n, 6n],
    ]);
    expect(report.groups[0]?.old).toEqual({ decision: 'deny', reason: 'no-rule', rule: undefined });
    expect(report.groups[0]?.now.decision).toBe('allow');
    expect(report.groups[0]?.now.rule?.line).toBe(3);
  });
  test('records that cannot be re-decided are kept with their kind, never dropped', () => {
    expect(report.skipped.map((s) => [s.seq, s.kind])).toEqual([
      [7n, 'unsupported-op'],
      [8n, 'malformed-record'],
    ]);
  });
});
