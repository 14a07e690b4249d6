import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import { ALLOW, CHECKPOINT, errorCode, arbInput, MAXIMAL, VERSION } from '../test-support/arbitraries.js';
import { formatRecordLine } from './format-record-line.js';
import { parseRecordLine } from './parse-record-line.js';

const chain = new AuditChain({ policyVersion: VERSION });
const records = [
  chain.append(ALLOW),
  chain.append(MAXIMAL),
  chain.append({ kind: 'audit-lost', timestampNs: 5n, lost: { fromSeq: 1n, toSeq: 2n, count: 2n, decisions: 1n, beforeHash: new Uint8Array(32), lastHash: new Uint8Array(32).fill(3) } }),
  chain.append({ kind: 'sink-switch', timestampNs: 6n, sink: 'uart' }),
  chain.append({ kind: 'audit-evicted', timestampNs: 7n, lost: { fromSeq: 4n, toSeq: 4n, count: 1n, decisions: 0n, beforeHash: new Uint8Array(32).fill(4), lastHash: new Uint8Array(32).fill(5) } }),
  chain.append({ kind: 'checkpoint', timestampNs: 8n, checkpoint: { ...CHECKPOINT, headSeq: 5n } }),
  chain.append({ kind: 'checkpoint', timestampNs: 9n, checkpoint: { ...CHECKPOINT, headSeq: 6n, signature: undefined } }),
];
const line = formatRecordLine(records[0]!);

const codeOf = (text: string): string => errorCode(() => parseRecordLine(text));

describe(parseRecordLine, () => {
  for (const record of records) {
    test(`round-trips ${record.kind} seq ${record.seq}`, () => {
      expect(parseRecordLine(formatRecordLine(record))).toEqual(record);
    });
  }

  test('round-trips any record (property)', () => {
    const c = new AuditChain({ policyVersion: VERSION });
    fc.assert(
      fc.property(arbInput, (input) => {
        const record = c.append(input);
        expect(parseRecordLine(formatRecordLine(record))).toEqual(record);
      }),
    );
  });

  const rejects: [string, string, string][] = [
    ['test_reject_empty_line', '', 'MALFORMED'],
    ['test_reject_other_prefix', line.replace('audit', 'audi'), 'MALFORMED'],
    ['test_reject_version_1', line.replace('audit v2', 'audit v1'), 'UNSUPPORTED'],
    ['test_reject_sig_without_cp', `${line.replace(/ prev=.*/, '')} sig=${'00'.repeat(64)}${line.slice(line.indexOf(' prev='))}`, 'MALFORMED'],
    ['test_reject_cp_with_other_timestamp', formatRecordLine(records[5]!).replace(' ts=8 ', ' ts=9 '), 'MALFORMED'],
    ['test_reject_cp_not_a_checkpoint_message', formatRecordLine(records[6]!).replace(/ cp=6e/, ' cp=4e'), 'MALFORMED'],
    ['test_reject_lost_with_five_parts', formatRecordLine(records[2]!).replace(/ lost=(\S+):[0-9a-f]{64} /, ' lost=$1 '), 'MALFORMED'],
    ['test_reject_over_2048_chars', `${line} ${'x'.repeat(2048)}`, 'TOO_LARGE'],
    ['test_reject_unknown_key', `${line} extra=1`, 'MALFORMED'],
    ['test_reject_repeated_key', `${line} seq=1`, 'MALFORMED'],
    ['test_reject_missing_hash', line.replace(/ hash=[0-9a-f]+$/, ''), 'MALFORMED'],
    ['test_reject_double_space', line.replace(' seq=', '  seq='), 'MALFORMED'],
    ['test_reject_reordered_keys', line.replace(/ (seq=\S+) (ts=\S+)/, ' $2 $1'), 'MALFORMED'],
    ['test_reject_uppercase_hex_id', line.replace('subject=0x866cecf1b02a841b', 'subject=0x866CECF1B02A841B'), 'MALFORMED'],
    ['test_reject_leading_zero_seq', line.replace(' seq=1 ', ' seq=01 '), 'MALFORMED'],
    ['test_reject_seq_over_u64', line.replace(' seq=1 ', ` seq=${2n ** 64n} `), 'BAD_VALUE'],
    ['test_reject_unknown_reason', line.replace('reason=policy-allow', 'reason=policy'), 'MALFORMED'],
    ['test_reject_bad_percent_encoding', line.replace('action=ipc.core', 'action=%zz'), 'MALFORMED'],
    ['test_reject_spoofed_target_id', formatRecordLine(records[1]!).replace(/target=0x[0-9a-f]{16}/, 'target=0x0000000000000001'), 'MALFORMED'],
    ['test_reject_short_hash', line.replace(/ hash=([0-9a-f]+)$/, ' hash=ab'), 'MALFORMED'],
  ];
  for (const [name, text, code] of rejects) {
    test(name, () => {
      expect(codeOf(text)).toBe(code);
    });
  }

  test('random lines and mutated lines throw only AuditError (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => void codeOf(text)));
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => void codeOf(`audit v2 ${text}`)));
    fc.assert(
      fc.property(fc.nat(line.length - 1), fc.string({ maxLength: 3 }), (at, insert) => void codeOf(line.slice(0, at) + insert + line.slice(at + 1))),
    );
  });
});
