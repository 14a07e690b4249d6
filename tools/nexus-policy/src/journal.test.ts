import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditChain, type AuditInput, type AuditRecord, type Checkpoint } from '@nexus/audit';
import { serviceIdFromName } from '@nexus/sel';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli, runJson } from '../test-support/run-cli.js';
import { CliError } from './cli-error.js';
import { JOURNAL_LIMITS, readJournal, writeJournal } from './journal.js';

const VERSION = `sha256:${'ab'.repeat(32)}`;

/** The `i`-th decision of the test journals: keystored allowed, selftest-client denied, in turn. */
function decision(i: number): AuditInput {
  const service = serviceIdFromName(i % 2 === 0 ? 'keystored' : 'selftest-client');
  return {
    timestampNs: 1_000_000_000n * BigInt(i + 1) + 5n,
    subjectId: service,
    senderId: service,
    op: 'check_cap',
    action: 'crypto.sign',
    decision: i % 2 === 0 ? 'allow' : 'deny',
    reason: i % 2 === 0 ? 'policy-allow' : 'no-rule',
    ...(i % 2 === 0 ? { rule: 'base.toml:7' } : {}),
    policyVersion: VERSION,
  };
}

/** A real chain of `count` decision records built with @nexus/audit, and its checkpoint. */
function buildChain(count: number): { records: AuditRecord[]; checkpoint: Checkpoint } {
  const chain = new AuditChain({ policyVersion: VERSION });
  const records = Array.from({ length: count }, (_, i) => chain.append(decision(i)));
  return { records, checkpoint: chain.checkpoint() };
}

let dir: string;
let good: { records: AuditRecord[]; checkpoint: Checkpoint };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nexus-policy-journal-'));
  good = buildChain(6);
});

function journalFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe(readJournal, () => {
  test('writeJournal then readJournal round-trips records and checkpoint', () => {
    const parsed = readJournal(writeJournal(good.records, good.checkpoint));
    expect(parsed.records).toEqual(good.records);
    expect(parsed.checkpoint).toEqual(good.checkpoint);
  });

  test('a journal without checkpoint reads back with checkpoint undefined', () => {
    expect(readJournal(writeJournal(good.records)).checkpoint).toBeUndefined();
  });

  const bad: readonly [name: string, text: () => string, line: number | undefined][] = [
    ['not json', () => 'nope\n', 1],
    ['json array', () => '[]\n', 1],
    ['unknown type', () => '{"type":"note"}\n', 1],
    ['extra key on a record', () => `{"type":"record","line":"x","more":1}\n`, 1],
    ['unparsable record line', () => '{"type":"record","line":"audit v1 op=bogus"}\n', 1],
    ['record after the checkpoint', () => `${writeJournal(good.records, good.checkpoint)}${writeJournal(good.records.slice(0, 1))}`, 8],
    ['bad checkpoint', () => '{"type":"checkpoint","seq":"x"}\n', 1],
    ['blank line inside', () => `${writeJournal(good.records.slice(0, 1))}\n${writeJournal(good.records.slice(1, 2))}`, 2],
    ['overlong line', () => `${'x'.repeat(JOURNAL_LIMITS.maxLineBytes + 1)}\n`, 1],
  ];
  for (const [name, text, line] of bad) {
    test(`test_reject_${name.replaceAll(' ', '_')}`, () => {
      expect(() => readJournal(text())).toThrow(CliError);
      try {
        readJournal(text());
      } catch (e) {
        expect((e as CliError).line).toBe(line);
      }
    });
  }

  test('random lines never throw anything but CliError', () => {
    const line = writeJournal(good.records.slice(0, 1));
    fc.assert(
      fc.property(fc.nat(line.length - 1), fc.string({ maxLength: 3 }), (at, insert) => {
        try {
          readJournal(line.slice(0, at) + insert + line.slice(at + 1));
        } catch (e) {
          expect(e).toBeInstanceOf(CliError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('audit verify', () => {
  test('an intact journal verifies: count, last seq, checkpoint seq (exit 0)', async () => {
    const path = journalFile('good.jsonl', writeJournal(good.records, good.checkpoint));
    const run = await runCli(['audit', 'verify', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('records: 6, last seq: 6, checkpoint seq: 6\n');
  });

  const swap = <T>(list: readonly T[], i: number, j: number): T[] => {
    const copy = [...list];
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    return copy;
  };
  const tampers: readonly [tamper: string, kind: string, make: () => string][] = [
    ['modified record', 'hash-mismatch', () => writeJournal(good.records.map((r, i) => (i === 2 ? { ...r, timestampNs: r.timestampNs + 1n } : r)), good.checkpoint)],
    ['deleted record', 'gap', () => writeJournal(good.records.filter((_, i) => i !== 2), good.checkpoint)],
    ['inserted copy', 'duplicate', () => writeJournal([...good.records.slice(0, 3), good.records[2] as AuditRecord, ...good.records.slice(3)], good.checkpoint)],
    // @nexus/audit reports a swap of two records as the gap it opens first (seq 4 arrives while 3 is
    // missing); `reordered` is its kind for a seq going backwards inside a declared loss.
    ['swapped records', 'gap', () => writeJournal(swap(good.records, 2, 3), good.checkpoint)],
    ['truncated tail', 'truncated', () => writeJournal(good.records.slice(0, 4), good.checkpoint)],
    ['rewritten prevHash', 'prev-mismatch', () => writeJournal(good.records.map((r, i) => (i === 3 ? { ...r, prevHash: new Uint8Array(32) } : r)), good.checkpoint)],
    ['forged checkpoint', 'checkpoint-mismatch', () => writeJournal(good.records, { ...good.checkpoint, hash: new Uint8Array(32).fill(7) })],
  ];
  for (const [tamper, kind, make] of tampers) {
    test(`test_reject_tampered_journal: ${tamper} is reported as ${kind} (exit 1)`, async () => {
      const path = journalFile(`${tamper.replaceAll(' ', '-')}.jsonl`, make());
      const run = await runCli(['audit', 'verify', path]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`BROKEN (at|after) record \\d+ \\(seq \\d+\\): ${kind}: `));
      const { code, json } = await runJson(['audit', 'verify', path]);
      expect([code, json.ok, json.kind]).toEqual([1, false, kind]);
    });
  }

  test('test_reject_unparsable_journal: exit 2 with file:line', async () => {
    const path = journalFile('garbage.jsonl', `${writeJournal(good.records.slice(0, 1))}{oops\n`);
    const run = await runCli(['audit', 'verify', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path}:2: not a JSON object`);
  });

  test('test_reject_missing_journal: exit 2', async () => {
    expect((await runCli(['audit', 'verify', join(dir, 'none.jsonl')])).code).toBe(2);
  });
});

describe('audit verify says ok only when it proved the journal whole', () => {
  /** Records 1..3 chained, a declaration that `from..3` were lost, one more decision: only the last two kept. */
  function afterHeadLoss(from: bigint): { records: AuditRecord[]; checkpoint: Checkpoint } {
    const chain = new AuditChain({ policyVersion: VERSION });
    const hashes = [0, 1, 2].map((i) => chain.append(decision(i)).hash);
    const lastHash = hashes.at(-1) ?? new Uint8Array(32);
    const beforeHash = from === 1n ? new Uint8Array(32) : (hashes[Number(from) - 2] ?? new Uint8Array(32));
    const lost = { fromSeq: from, toSeq: 3n, count: 4n - from, decisions: 4n - from, beforeHash, lastHash };
    const records = [chain.append({ kind: 'audit-lost', timestampNs: 9_000_000_000n, lost }), chain.append(decision(3))];
    return { records, checkpoint: chain.checkpoint() };
  }
  const mid = (list: readonly AuditRecord[]): AuditRecord[] => list.filter((_, i) => i !== 2);
  // [input, flags, exit code, JSON status and kind/reason, first line of the text output]
  const cases: readonly [input: string, flags: readonly string[], code: number, status: string, head: RegExp, make: () => string][] = [
    ['an empty file', [], 1, 'unverified empty', /UNVERIFIED: the journal has no records$/, () => ''],
    ['an empty file, --allow-no-checkpoint', ['--allow-no-checkpoint'], 1, 'unverified empty', /UNVERIFIED: the journal has no records$/, () => ''],
    ['a checkpoint without records', [], 1, 'broken truncated', /BROKEN after record 0 \(seq 0\): truncated: /, () => writeJournal([], good.checkpoint)],
    ['records 1-6 with their checkpoint', [], 0, 'ok', /: ok$/, () => writeJournal(good.records, good.checkpoint)],
    ['records 1-6 without checkpoint', [], 1, 'unverified no-checkpoint', /UNVERIFIED: no checkpoint, truncation cannot be detected/, () => writeJournal(good.records)],
    ['records 1-6 without checkpoint, --allow-no-checkpoint', ['--allow-no-checkpoint'], 0, 'ok', /: ok$/, () => writeJournal(good.records)],
    ['records 1-3 without checkpoint', [], 1, 'unverified no-checkpoint', /UNVERIFIED: no checkpoint/, () => writeJournal(good.records.slice(0, 3))],
    ['records 1-3 without checkpoint, --allow-no-checkpoint', ['--allow-no-checkpoint'], 0, 'ok', /: ok$/, () => writeJournal(good.records.slice(0, 3))],
    ['records 4-6 without checkpoint', [], 1, 'broken truncated', /BROKEN at record 1 \(seq 4\): truncated: .*seq 1 is missing/, () => writeJournal(good.records.slice(3))],
    ['records 4-6 without checkpoint, --allow-no-checkpoint', ['--allow-no-checkpoint'], 1, 'broken truncated', /BROKEN at record 1 \(seq 4\): truncated: /, () => writeJournal(good.records.slice(3))],
    ['records 4-6 with the checkpoint', [], 1, 'broken truncated', /BROKEN at record 1 \(seq 4\): truncated: /, () => writeJournal(good.records.slice(3), good.checkpoint)],
    ['records 1-6 but 3 without checkpoint, --allow-no-checkpoint', ['--allow-no-checkpoint'], 1, 'broken gap', /BROKEN at record 3 \(seq 4\): gap: /, () => writeJournal(mid(good.records))],
    ['records 4-5 after a declared loss of 1-3, --allow-no-checkpoint', ['--allow-no-checkpoint'], 0, 'ok', /: ok$/, () => writeJournal(afterHeadLoss(1n).records)],
    ['records 4-5 after a declared loss of 1-3, with the checkpoint', [], 1, 'broken checkpoint-mismatch', /checkpoint-mismatch: 3 record\(s\) missing, the checkpoint says 0 lost/, () => writeJournal(afterHeadLoss(1n).records, afterHeadLoss(1n).checkpoint)],
    ['records 4-5 after a declared loss of 2-3 only, --allow-no-checkpoint', ['--allow-no-checkpoint'], 1, 'broken truncated', /BROKEN at record 1 \(seq 4\): truncated: .*seq 1 is missing/, () => writeJournal(afterHeadLoss(2n).records)],
  ];
  for (const [input, flags, code, status, head, make] of cases) {
    test(`${code === 0 ? '' : 'test_reject_'}${input}: exit ${code}, ${status}`, async () => {
      const path = journalFile(`${input.replace(/[^a-z0-9-]+/g, '_')}.jsonl`, make());
      const run = await runCli(['audit', 'verify', path, ...flags]);
      expect([run.code, run.stderr]).toEqual([code, '']);
      expect(run.stdout.split('\n')[0]).toMatch(head);
      const { code: jsonCode, json } = await runJson(['audit', 'verify', path, ...flags]);
      expect([jsonCode, json.ok, [json.status, json.kind ?? json.reason].filter(Boolean).join(' ')]).toEqual([code, code === 0, status]);
    });
  }

  test('without a checkpoint, --allow-no-checkpoint prints the warning in place of the checkpoint seq', async () => {
    const path = journalFile('window.jsonl', writeJournal(good.records.slice(0, 3)));
    const run = await runCli(['audit', 'verify', path, '--allow-no-checkpoint']);
    expect(run.stdout).toBe(`journal ${path}: ok\nrecords: 3, last seq: 3, warning: no checkpoint, truncation cannot be detected\n`);
    const { json } = await runJson(['audit', 'verify', path, '--allow-no-checkpoint']);
    expect([json.checkpointSeq, json.warning]).toEqual([null, 'no checkpoint, truncation cannot be detected']);
  });
});

describe('audit show', () => {
  test('prints a table; --subject and --decision filter it', async () => {
    const path = journalFile('show.jsonl', writeJournal(good.records, good.checkpoint));
    const all = await runCli(['audit', 'show', path]);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n')[0]).toMatch(/^seq +time +op +subject +action +target +decision +reason +rule$/);
    expect(all.stdout).toContain('1    1.000000005s  check_cap  0x866cecf1b02a841b  crypto.sign  -       allow     policy-allow  base.toml:7');
    const denied = await runJson(['audit', 'show', path, '--decision', 'deny']);
    expect(denied.json.records.map((r: { seq: string }) => r.seq)).toEqual(['2', '4', '6']);
    const byName = await runJson(['audit', 'show', path, '--subject', 'keystored']);
    const byId = await runJson(['audit', 'show', path, '--subject', '0x866cecf1b02a841b']);
    expect(byName.json.records.map((r: { seq: string }) => r.seq)).toEqual(['1', '3', '5']);
    expect(byId.json).toEqual(byName.json);
  });

  test('test_reject_bad_filter: --decision maybe and --subject "Not A Name" exit 2', async () => {
    const path = journalFile('filter.jsonl', writeJournal(good.records));
    expect((await runCli(['audit', 'show', path, '--decision', 'maybe'])).code).toBe(2);
    expect((await runCli(['audit', 'show', path, '--subject', 'Not A Name'])).code).toBe(2);
  });
});
