import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ALLOW, CHECKPOINT, MAXIMAL, VERSION, arbInput } from '../test-support/arbitraries.js';
import { AuditError } from './audit-error.js';
import type { AuditInput, AuditOp, AuditReason } from './audit-record.js';
import { validateInput, validateRecord } from './validate-record.js';

describe(validateInput, () => {
  test('generated inputs are valid', () => {
    fc.assert(fc.property(arbInput, (input) => validateInput(input) === undefined));
  });
  const rejects: [string, Partial<AuditInput>][] = [
    ['test_reject_action_over_48_bytes', { action: 'é'.repeat(25) }],
    ['test_reject_target_over_64_bytes', { target: 'x'.repeat(65) }],
    ['test_reject_rule_over_128_bytes', { rule: 'x'.repeat(129) }],
    ['test_reject_negative_id', { subjectId: -1n }],
    ['test_reject_id_over_u64', { senderId: 2n ** 64n }],
    ['test_reject_nonce_over_u64', { nonce: 2n ** 64n }],
    ['test_reject_unknown_op', { op: 'sign' as AuditOp }],
    ['test_reject_unknown_reason', { reason: 'policy' as AuditReason }],
    ['test_reject_allow_without_policy_allow', { decision: 'allow', reason: 'no-rule' }],
    ['test_reject_deny_with_policy_allow', { decision: 'deny', reason: 'policy-allow' }],
    ['test_reject_uppercase_version', { policyVersion: VERSION.toUpperCase() }],
    ['test_reject_short_version', { policyVersion: 'sha256:ab' }],
    ['test_reject_lone_surrogate', { action: 'a\uD800' }],
  ];
  for (const [name, patch] of rejects) {
    test(name, () => {
      expect(() => validateInput({ ...ALLOW, ...patch })).toThrow(AuditError);
    });
  }
  test('accepts the maximal input', () => {
    expect(() => validateInput(MAXIMAL)).not.toThrow();
  });
});

describe(validateRecord, () => {
  const base = { ...ALLOW, kind: 'decision' as const, seq: 1n, prevHash: new Uint8Array(32) };
  const control = {
    kind: 'audit-lost' as const, seq: 5n, prevHash: new Uint8Array(32), timestampNs: 0n, subjectId: 0n, senderId: 0n,
    op: 'none' as const, action: '', decision: 'deny' as const, reason: 'none' as const, policyVersion: VERSION,
    lost: { fromSeq: 2n, toSeq: 4n, count: 3n, decisions: 2n, beforeHash: new Uint8Array(32).fill(1), lastHash: new Uint8Array(32) },
  };
  test('accepts a decision, an audit-lost, an audit-evicted and a checkpoint record', () => {
    expect(() => validateRecord(base)).not.toThrow();
    expect(() => validateRecord(control)).not.toThrow();
    expect(() => validateRecord({ ...control, kind: 'audit-evicted' })).not.toThrow();
    expect(() => validateRecord({ ...control, kind: 'checkpoint', lost: undefined, checkpoint: CHECKPOINT })).not.toThrow();
    const { signature: _, ...unsealed } = CHECKPOINT;
    expect(() => validateRecord({ ...control, kind: 'checkpoint', lost: undefined, checkpoint: unsealed })).not.toThrow();
  });
  const rejects: [string, object][] = [
    ['test_reject_seq_zero', { ...base, seq: 0n }],
    ['test_reject_short_prev_hash', { ...base, prevHash: new Uint8Array(31) }],
    ['test_reject_decision_with_op_none', { ...base, op: 'none' }],
    ['test_reject_decision_with_sink', { ...base, sink: 'uart' }],
    ['test_reject_control_with_subject', { ...control, subjectId: 1n }],
    ['test_reject_lost_without_range', { ...control, lost: undefined }],
    ['test_reject_lost_range_reaching_own_seq', { ...control, lost: { ...control.lost, toSeq: 5n } }],
    ['test_reject_lost_count_over_range', { ...control, lost: { ...control.lost, count: 4n } }],
    ['test_reject_lost_count_under_range', { ...control, lost: { ...control.lost, count: 2n } }],
    ['test_reject_lost_without_before_hash', { ...control, lost: { ...control.lost, beforeHash: undefined } }],
    ['test_reject_lost_from_seq_1_with_nonzero_before_hash', { ...control, lost: { ...control.lost, fromSeq: 1n, count: 4n } }],
    ['test_reject_evicted_without_range', { ...control, kind: 'audit-evicted', lost: undefined }],
    ['test_reject_checkpoint_without_payload', { ...control, kind: 'checkpoint', lost: undefined }],
    ['test_reject_checkpoint_head_at_own_seq', { ...control, kind: 'checkpoint', lost: undefined, checkpoint: { ...CHECKPOINT, headSeq: 5n } }],
    ['test_reject_checkpoint_prev_sealed_past_head', { ...control, kind: 'checkpoint', lost: undefined, checkpoint: { ...CHECKPOINT, prevSealedSeq: 4n, prevSealedHash: new Uint8Array(32).fill(2) } }],
    ['test_reject_checkpoint_prev_sealed_zero_with_hash', { ...control, kind: 'checkpoint', lost: undefined, checkpoint: { ...CHECKPOINT, prevSealedHash: new Uint8Array(32).fill(2) } }],
    ['test_reject_checkpoint_short_signature', { ...control, kind: 'checkpoint', lost: undefined, checkpoint: { ...CHECKPOINT, signature: new Uint8Array(63) } }],
    ['test_reject_checkpoint_short_boot_id', { ...control, kind: 'checkpoint', lost: undefined, checkpoint: { ...CHECKPOINT, bootId: new Uint8Array(15) } }],
    ['test_reject_checkpoint_with_lost_range', { ...control, kind: 'checkpoint', checkpoint: CHECKPOINT }],
    ['test_reject_lost_decisions_over_count', { ...control, lost: { ...control.lost, decisions: 4n } }],
    ['test_reject_lost_from_zero', { ...control, lost: { ...control.lost, fromSeq: 0n } }],
    ['test_reject_sink_switch_without_sink', { ...control, kind: 'sink-switch', lost: undefined }],
    ['test_reject_unknown_kind', { ...base, kind: 'note' }],
  ];
  for (const [name, record] of rejects) {
    test(name, () => {
      expect(() => validateRecord(record as Parameters<typeof validateRecord>[0])).toThrow(AuditError);
    });
  }
});
