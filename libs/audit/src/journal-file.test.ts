import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import { AuditError } from './audit-error.js';
import { arbInput, errorCode, VERSION } from '../test-support/arbitraries.js';
import { formatRecordLine } from './format-record-line.js';
import { JOURNAL_LIMITS, parseJournal, readJournal, writeJournal } from './journal-file.js';

describe(parseJournal, () => {
  test('round-trips any chain, with the line of each record (property)', () => {
    fc.assert(
      fc.property(fc.array(arbInput, { maxLength: 12 }), (inputs) => {
        const chain = new AuditChain({ policyVersion: VERSION });
        const records = inputs.map((i) => chain.append(i));
        const text = writeJournal(records);
        expect(text.split('\n')).toHaveLength(records.length + 1);
        expect(parseJournal(text)).toEqual({ entries: records.map((record, i) => ({ line: i + 1, record })), bad: undefined });
        expect(readJournal(text)).toEqual(records);
      }),
    );
  });

  test('arbitrary text is parsed or reported as a bad line, never another exception (property)', () => {
    const chain = new AuditChain({ policyVersion: VERSION });
    const line = formatRecordLine(chain.append({ ...fc.sample(arbInput, 1)[0]! }));
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.nat(line.length), (noise, at) => {
        for (const text of [noise, `${line.slice(0, at)}${noise}${line.slice(at)}\n`]) {
          const { entries, bad } = parseJournal(text);
          expect(entries.length + (bad === undefined ? 0 : 1)).toBeLessThanOrEqual(text.split('\n').length);
          if (bad !== undefined) expect(errorCode(() => readJournal(text))).toBe('MALFORMED');
        }
      }),
    );
  });

  const bad: [string, string, number][] = [
    ['test_reject_blank_line', '\n', 1],
    ['test_reject_crlf', `${formatRecordLine(new AuditChain({ policyVersion: VERSION }).append(fc.sample(arbInput, 1)[0]!))}\r\n`, 1],
    ['test_reject_v1_json_journal', '{"type":"record","line":"audit v1 op=check"}\n', 1],
    ['test_reject_missing_final_newline', 'audit v2 op=check', 1],
  ];
  for (const [name, text, line] of bad) {
    test(name, () => {
      expect(parseJournal(text).bad?.line).toBe(line);
      expect(() => readJournal(text)).toThrow(AuditError);
    });
  }

  test('test_reject_journal_over_64_mib', () => {
    expect(errorCode(() => parseJournal('x'.repeat(JOURNAL_LIMITS.maxBytes + 1)))).toBe('TOO_LARGE');
  });
});
