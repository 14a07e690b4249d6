import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import { AuditError } from './audit-error.js';
import { ALLOW, CHECKPOINT, errorCode, MAXIMAL, VERSION } from '../test-support/arbitraries.js';
import { decodeRecord } from './decode-record.js';

const chain = new AuditChain({ policyVersion: VERSION });
const allow = chain.appendSealed(ALLOW).encoded;
const maximal = chain.appendSealed(MAXIMAL).encoded;
// Header 6, four u64s 32, empty action 1, version 32: the message starts at byte 71.
const checkpoint = chain.appendSealed({ kind: 'checkpoint', timestampNs: 5n, checkpoint: { ...CHECKPOINT, headSeq: 1n } }).encoded;

function patched(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = value;
  return copy;
}

const codeOf = (bytes: Uint8Array): string => errorCode(() => decodeRecord(bytes));

describe(decodeRecord, () => {
  const cases: [string, Uint8Array, string][] = [
    ['test_reject_empty', new Uint8Array(0), 'MALFORMED'],
    ['test_reject_version_1', patched(allow, 0, 1), 'UNSUPPORTED'],
    ['test_reject_version_3', patched(allow, 0, 3), 'UNSUPPORTED'],
    ['test_reject_over_512_bytes', new Uint8Array(513).fill(1), 'TOO_LARGE'],
    ['test_reject_truncated', allow.slice(0, -1), 'MALFORMED'],
    ['test_reject_trailing_byte', Uint8Array.of(...allow, 0), 'MALFORMED'],
    ['test_reject_unknown_kind', patched(allow, 1, 5), 'BAD_VALUE'],
    ['test_reject_decision_as_checkpoint_kind', patched(allow, 1, 3), 'BAD_VALUE'],
    ['test_reject_signature_flag_without_checkpoint', patched(allow, 2, allow[2]! | 0x80), 'BAD_VALUE'],
    ['test_reject_checkpoint_flag_on_decision', patched(allow, 2, allow[2]! | 0x40), 'MALFORMED'],
    ['test_reject_checkpoint_domain_prefix', patched(checkpoint, 71 + 1, 0x4e), 'MALFORMED'],
    ['test_reject_checkpoint_message_timestamp_differs', patched(checkpoint, 71 + 26 + 16 + 8 + 32, 0x99), 'BAD_VALUE'],
    ['test_reject_unknown_op', patched(allow, 3, 8), 'BAD_VALUE'],
    ['test_reject_unknown_decision', patched(allow, 4, 2), 'BAD_VALUE'],
    ['test_reject_unknown_reason', patched(allow, 5, 10), 'BAD_VALUE'],
    ['test_reject_allow_with_deny_reason', patched(allow, 5, 1), 'BAD_VALUE'],
    ['test_reject_action_length_over_48', patched(maximal, 46, 49), 'MALFORMED'],
    ['test_reject_invalid_utf8_action', patched(maximal, 47, 0xff), 'MALFORMED'],
  ];
  for (const [name, bytes, code] of cases) {
    test(name, () => {
      expect(codeOf(bytes)).toBe(code);
    });
  }

  test('random bytes throw only AuditError (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => void codeOf(bytes)));
  });

  test('single-byte corruptions of a valid record throw only AuditError (property)', () => {
    fc.assert(
      fc.property(fc.nat(maximal.byteLength - 1), fc.nat(255), (at, value) => void codeOf(patched(maximal, at, value))),
    );
  });

  test('test_reject_non_bytes', () => {
    expect(() => decodeRecord('x' as unknown as Uint8Array)).toThrow(AuditError);
  });
});
