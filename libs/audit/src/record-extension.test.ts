import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import type { AuditInput } from './audit-record.js';
import { ALLOW, errorCode, MAXIMAL, VERSION } from '../test-support/arbitraries.js';
import { decodeRecord } from './decode-record.js';
import { encodeRecord } from './encode-record.js';
import { formatRecordLine } from './format-record-line.js';
import { parseRecordLine } from './parse-record-line.js';

const CANDIDATE = `sha256:${'cd'.repeat(32)}`;
const WOULD_DENY: AuditInput = { ...ALLOW, op: 'check_cap', action: 'crypto.sign', decision: 'deny', reason: 'no-rule', rule: undefined, mode: 'learn' };
const SHADOWED: AuditInput = { ...ALLOW, shadow: { decision: 'deny', reason: 'no-rule', policyVersion: CANDIDATE } };

function sealed(input: AuditInput): ReturnType<AuditChain['appendSealed']> {
  return new AuditChain({ policyVersion: VERSION }).appendSealed(input);
}

describe('record extension: learn mode and shadow decisions', () => {
  test.each([
    ['a learn-mode would-deny', WOULD_DENY],
    ['a shadow divergence', SHADOWED],
    ['both', { ...WOULD_DENY, shadow: { decision: 'allow', reason: 'policy-allow', policyVersion: CANDIDATE } } as AuditInput],
  ])('%s round-trips through bytes and line', (_name, input) => {
    const { record, encoded } = sealed(input);
    expect(decodeRecord(encoded)).toEqual(record);
    expect(parseRecordLine(formatRecordLine(record))).toEqual(record);
  });

  test('the line carries mode=learn and shadow=decision:reason:version', () => {
    expect(formatRecordLine(sealed(WOULD_DENY).record)).toContain(' mode=learn prev=');
    expect(formatRecordLine(sealed(SHADOWED).record)).toContain(` shadow=deny:no-rule:${'cd'.repeat(32)} prev=`);
  });

  test('a record without mode or shadow keeps its exact v2 bytes (old journals keep their hashes)', () => {
    const { encoded } = sealed(ALLOW);
    expect(encoded[3]).toBe(0);
    const learn = sealed({ ...ALLOW, mode: 'learn' }).encoded;
    expect(learn.byteLength).toBe(encoded.byteLength + 1);
    expect(learn[3]).toBe(0x80);
  });

  test('the largest decision (every field, shadow too) still fits 512 bytes', () => {
    const { encoded } = sealed({ ...MAXIMAL, mode: 'learn', shadow: { decision: 'deny', reason: 'deny-rule', policyVersion: CANDIDATE } });
    expect(encoded.byteLength).toBe(428);
  });

  function withExtension(ext: number[]): Uint8Array {
    const plain = encodeRecord(sealed(ALLOW).record);
    const out = new Uint8Array(plain.byteLength + ext.length);
    out.set(plain.subarray(0, plain.byteLength - 64));
    out.set(ext, plain.byteLength - 64);
    out.set(plain.subarray(plain.byteLength - 64), plain.byteLength - 64 + ext.length);
    out[3] = (out[3] ?? 0) | 0x80;
    return out;
  }

  test.each([
    ['test_reject_extension_empty', [0]],
    ['test_reject_extension_unknown_bits', [4]],
    ['test_reject_extension_missing', []],
    ['test_reject_shadow_truncated', [2, 1]],
    ['test_reject_shadow_reason_out_of_set', [2, 1, 200, ...new Array(32).fill(0xcd)]],
  ])('%s', (_name, ext) => {
    expect(errorCode(() => decodeRecord(withExtension(ext)))).not.toBe('ok');
  });

  test.each([
    ['test_reject_mode_enforce_spelled_out', { ...ALLOW, mode: 'enforce' as unknown as 'learn' }],
    ['test_reject_shadow_allow_with_no_rule', { ...ALLOW, shadow: { decision: 'allow', reason: 'no-rule', policyVersion: CANDIDATE } } as AuditInput],
    ['test_reject_shadow_non_policy_reason', { ...ALLOW, shadow: { decision: 'deny', reason: 'too-large', policyVersion: CANDIDATE } } as AuditInput],
    ['test_reject_shadow_bad_version', { ...ALLOW, shadow: { decision: 'deny', reason: 'no-rule', policyVersion: 'sha256:xyz' } } as AuditInput],
  ])('%s', (_name, input) => {
    expect(errorCode(() => new AuditChain({ policyVersion: VERSION }).append(input))).toBe('BAD_VALUE');
  });

  test('test_reject_shadow_getter_swap: the sealed copy is what is checked', () => {
    let reads = 0;
    const shadow = { get reason() { return reads++ === 0 ? 'no-rule' : 'too-large'; }, decision: 'deny', policyVersion: CANDIDATE } as unknown as AuditInput['shadow'];
    const code = errorCode(() => new AuditChain({ policyVersion: VERSION }).append({ ...ALLOW, ...(shadow === undefined ? {} : { shadow }) }));
    expect(code).toBe('BAD_VALUE');
  });

  test('test_reject_mode_on_control_record', () => {
    const { record } = new AuditChain({ policyVersion: VERSION }).appendSealed({ kind: 'sink-switch', timestampNs: 1n, sink: 'uart' });
    expect(errorCode(() => encodeRecord({ ...record, mode: 'learn' }))).toBe('BAD_VALUE');
  });

  test('test_reject_line_mode_value', () => {
    const line = formatRecordLine(sealed(WOULD_DENY).record);
    expect(errorCode(() => parseRecordLine(line.replace('mode=learn', 'mode=enforce')))).toBe('MALFORMED');
  });
});
