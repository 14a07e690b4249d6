import { AuditChain, type AuditRecord } from '@nexus/audit';
import { describe, expect, test } from 'vitest';
import { expectRecord, type ExpectedRecord } from './expect-record.js';

const VERSION = `sha256:${'ab'.repeat(32)}`;
const chain = new AuditChain({ policyVersion: VERSION });
const base = {
  timestampNs: 1n, subjectId: 7n, senderId: 9n, claimedId: 7n, op: 'check_cap_delegated', action: 'crypto.sign',
  decision: 'deny', reason: 'no-rule', policyVersion: VERSION, nonce: 5n,
} as const;
const record: AuditRecord = chain.append(base);
const other: AuditRecord = chain.append({ ...base, nonce: 6n, senderId: 8n });
// bundlemgrd's INSTALL asks `bundle.install` twice about one caller: untargeted, then naming the bundle.
const install = { ...base, senderId: 4n, action: 'bundle.install', nonce: 1n } as const;
const untargeted: AuditRecord = chain.append({ ...install, decision: 'allow', reason: 'policy-allow' });
const named: AuditRecord = chain.append({ ...install, nonce: 2n, target: 'samgrd' });
const wantNamed: ExpectedRecord = {
  subject: 7n, sender: 4n, claimed: 7n, op: 'check_cap_delegated', action: 'bundle.install', target: 'samgrd', decision: 'deny', reason: 'no-rule', policyVersion: VERSION,
};
const want: ExpectedRecord = {
  nonce: 5, subject: 7n, sender: 9n, claimed: 7n, op: 'check_cap_delegated', action: 'crypto.sign', decision: 'deny', reason: 'no-rule', policyVersion: VERSION,
};

describe(expectRecord, () => {
  test('the one matching record with every field right', () => {
    expect(expectRecord([other, record], want)).toBeUndefined();
  });

  test('found by subject, sender, op and action when there is no nonce', () => {
    const { nonce: _, ...byWindow } = want;
    expect(expectRecord([record], byWindow)).toBeUndefined();
  });

  test('without a nonce, the target tells apart two questions of one request', () => {
    expect(expectRecord([untargeted, named], wantNamed)).toBeUndefined();
    const { target: _, ...wantUntargeted } = wantNamed;
    expect(expectRecord([untargeted, named], { ...wantUntargeted, decision: 'allow', reason: 'policy-allow' })).toBeUndefined();
  });

  test.each([
    { name: 'test_reject_named_missing', window: [untargeted], cause: 'no audit record for the request in the seq window' },
    { name: 'test_reject_named_twice', window: [untargeted, named, named], cause: '2 audit records for the request in the seq window' },
    { name: 'test_reject_named_other_target', window: [{ ...named, target: 'keystored' }], cause: 'no audit record for the request in the seq window' },
  ])('$name', ({ window, cause }) => {
    expect(expectRecord(window, wantNamed)).toBe(cause);
  });

  test.each([
    { name: 'test_reject_missing', window: [other], change: {}, cause: 'no audit record for nonce' },
    { name: 'test_reject_twice', window: [record, record], change: {}, cause: '2 audit records for nonce' },
    { name: 'test_reject_other_sender', window: [record], change: { sender: 8n }, cause: 'no audit record for nonce' },
    { name: 'test_reject_subject', window: [record], change: { subject: 1n }, cause: 'audit record has the wrong subject' },
    { name: 'test_reject_op', window: [record], change: { op: 'route' }, cause: 'audit record has the wrong op' },
    { name: 'test_reject_action', window: [record], change: { action: 'audit.read' }, cause: 'audit record has the wrong action' },
    { name: 'test_reject_target', window: [record], change: { target: 'execd' }, cause: 'audit record has the wrong target' },
    { name: 'test_reject_claimed', window: [record], change: { claimed: 1n }, cause: 'audit record has the wrong claimed id' },
    { name: 'test_reject_decision', window: [record], change: { decision: 'allow' }, cause: 'audit record says deny' },
    { name: 'test_reject_reason', window: [record], change: { reason: 'deny-rule' }, cause: 'audit record has an unexpected reason' },
    { name: 'test_reject_version', window: [record], change: { policyVersion: `sha256:${'cd'.repeat(32)}` }, cause: 'audit record has another policy version' },
  ] as const)('$name', ({ window, change, cause }) => {
    expect(expectRecord(window, { ...want, ...change })).toBe(cause);
  });

  test('a cause never names the reason or the rule', () => {
    expect(expectRecord([record], { ...want, reason: 'policy-allow' })).not.toMatch(/no-rule|policy-allow/);
  });
});
