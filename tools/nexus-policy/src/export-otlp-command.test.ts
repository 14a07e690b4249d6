import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJournal, parseRecordLine, type AuditRecord } from '@nexus/audit';
import { afterAll, describe, expect, test } from 'vitest';
import { startOtlpReceiver, type AnyValue, type ReceivedLog } from '../test-support/otlp-receiver.js';
import { hostileJournal } from '../test-support/hostile-journal.js';
import { PACKAGE_ROOT, REPO_ROOT, runCli } from '../test-support/run-cli.js';
import { auditExportCommand } from './export-otlp-command.js';
import { OTLP_ATTRIBUTES as A } from './export-otlp-records.js';

const dir = mkdtempSync(join(tmpdir(), 'nexus-otlp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const JOURNAL = join(PACKAGE_ROOT, 'fixtures', 'replay', 'audit.journal');
const RECORDS: readonly AuditRecord[] = parseJournal(readFileSync(JOURNAL, 'latin1')).entries.map((e) => e.record);
const FAST = ['--backoff-ms', '5', '--timeout-ms', '2000'];

const str = (v: AnyValue | undefined): string | undefined => (v === undefined ? undefined : (v.stringValue ?? (v.intValue === undefined ? undefined : String(v.intValue))));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const id = (n: bigint): string => `0x${n.toString(16).padStart(16, '0')}`;

/** Every field of the record, read back from what the receiver decoded. */
function expectRoundTrip(log: ReceivedLog, r: AuditRecord): void {
  expect(parseRecordLine(log.body)).toEqual(r);
  const a = log.attributes;
  expect(str(a[A.seq])).toBe(r.seq.toString());
  expect(str(a[A.kind])).toBe(r.kind);
  expect(str(a[A.timestampNs])).toBe(r.timestampNs.toString());
  expect(log.timeUnixNano).toBe(r.timestampNs.toString());
  expect(str(a[A.op])).toBe(r.op);
  expect(str(a[A.subjectId])).toBe(id(r.subjectId));
  expect(str(a[A.senderId])).toBe(id(r.senderId));
  expect(str(a[A.claimedId])).toBe(r.claimedId === undefined ? undefined : id(r.claimedId));
  expect(str(a[A.action])).toBe(r.action);
  expect(str(a[A.target])).toBe(r.target);
  expect(str(a[A.decision])).toBe(r.decision);
  expect(str(a[A.reason])).toBe(r.reason);
  expect(str(a[A.rule])).toBe(r.rule);
  expect(str(a[A.policyVersion])).toBe(r.policyVersion);
  expect(str(a[A.nonce])).toBe(r.nonce === undefined ? undefined : id(r.nonce));
  expect(str(a[A.prevHash])).toBe(hex(r.prevHash));
  expect(str(a[A.hash])).toBe(hex(r.hash));
  expect(str(a[A.sink])).toBe(r.sink);
  expect(a[A.checkpointSealed]?.boolValue).toBe(r.checkpoint === undefined ? undefined : r.checkpoint.signature !== undefined);
  expect(log.severityText).toBe(r.kind === 'audit-lost' || r.kind === 'audit-evicted' ? 'ERROR' : r.kind === 'sink-switch' || r.decision === 'deny' && r.kind === 'decision' ? 'WARN' : 'INFO');
}

describe(auditExportCommand, () => {
  test('POSTs every record to a real OTLP/HTTP receiver and every field round-trips', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const run = await runCli(['audit', 'export', '--format', 'otlp', '--endpoint', receiver.url, '--device', 'dev-7', '--policy', 'recipes/policy', '--batch', '10', JOURNAL], REPO_ROOT);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`exported ${RECORDS.length} records in 7 batch(es) to ${receiver.url}/v1/logs (7 request(s))\n`);
      expect(receiver.requests).toBe(7);
      expect(receiver.logs).toHaveLength(RECORDS.length);
      const boot = hex(RECORDS.find((r) => r.checkpoint !== undefined)!.checkpoint!.bootId);
      receiver.logs.forEach((log, i) => {
        expectRoundTrip(log, RECORDS[i]!);
        expect(str(log.resource['nexus.device.id'])).toBe('dev-7');
        expect(str(log.resource['nexus.boot.id'])).toBe(boot);
        expect(str(log.resource['service.name'])).toBe('policyd');
      });
      const named = receiver.logs.find((l) => str(l.attributes[A.kind]) === 'decision' && str(l.attributes[A.subjectId]) === '0x52c6c4a34ffb3f69');
      expect(str(named?.attributes[A.subjectName])).toBe('selftest-client');
    } finally {
      await receiver.close();
    }
  });

  test('a receiver that fails and recovers: the batch is retried with backoff, nothing lost or doubled', async () => {
    const receiver = await startOtlpReceiver((n) => (n === 2 || n === 3 ? 500 : 200));
    try {
      const run = await runCli(['audit', 'export', '--format', 'otlp', '--endpoint', `${receiver.url}/v1/logs`, '--batch', '32', ...FAST, JOURNAL], REPO_ROOT);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^audit export: batch 2: try 2 of 5 after: .*\naudit export: batch 2: try 3 of 5 after: /);
      expect(receiver.requests).toBe(4);
      expect(receiver.logs.map((l) => str(l.attributes[A.seq]))).toEqual(RECORDS.map((r) => r.seq.toString()));
    } finally {
      await receiver.close();
    }
  });

  test.each([
    ['test_reject_undelivered: a receiver that always fails: exit 1, later batches not sent', 500],
    ['test_reject_undelivered: a receiver that refuses the data (400)', 400],
  ])('%s', async (_name, status) => {
    const receiver = await startOtlpReceiver(() => status);
    try {
      const run = await runCli(['audit', 'export', '--format', 'otlp', '--endpoint', receiver.url, '--batch', '32', '--retries', '2', ...FAST, JOURNAL], REPO_ROOT);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/audit export: FAILED: batch 1 of 2 \(seq 1\.\.\d+\) not delivered after 3 tries: /);
      expect(run.stderr).toContain(`delivered: 0 of ${RECORDS.length} records`);
      expect(run.stdout).toBe('');
      expect(receiver.requests).toBe(3);
    } finally {
      await receiver.close();
    }
  });

  test('test_reject_undelivered: nothing listening: exit 1', async () => {
    const receiver = await startOtlpReceiver();
    const url = receiver.url;
    await receiver.close();
    const run = await runCli(['audit', 'export', '--format', 'otlp', '--endpoint', url, '--retries', '1', ...FAST, JOURNAL], REPO_ROOT);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('FAILED: batch 1 of 1');
  });

  test('without --endpoint: OTLP/JSON lines to stdout, and to -o FILE', async () => {
    const run = await runCli(['audit', 'export', '--format', 'otlp', '--batch', '50', JOURNAL], REPO_ROOT);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const bodies = lines.flatMap((l) => JSON.parse(l).resourceLogs[0].scopeLogs[0].logRecords.map((lr: { body: AnyValue }) => lr.body.stringValue));
    expect(bodies.map((b: string) => parseRecordLine(b))).toEqual(RECORDS);
    const out = join(dir, 'export.jsonl');
    const file = await runCli(['audit', 'export', '--format', 'otlp', '--batch', '50', '-o', out, JOURNAL], REPO_ROOT);
    expect(file.code).toBe(0);
    const unobserved = (text: string): string => text.replace(/"observedTimeUnixNano":"\d+"/g, '');
    expect(unobserved(readFileSync(out, 'utf8'))).toBe(unobserved(run.stdout));
  });

  test('a hostile journal: fields travel as data (JSON strings), unchanged', async () => {
    const path = join(dir, 'hostile.journal');
    writeFileSync(path, hostileJournal());
    const run = await runCli(['audit', 'export', '--format', 'otlp', path], dir);
    expect(run.code).toBe(0);
    const logs = JSON.parse(run.stdout).resourceLogs[0].scopeLogs[0].logRecords as { attributes: { key: string; value: AnyValue }[] }[];
    expect(logs[0]!.attributes.find((x) => x.key === A.target)?.value.stringValue).toBe('<script>alert(1)</script>');
  });

  test.each([
    ['test_reject_missing_format', ['audit', 'export', 'j'], /--format is required/],
    ['test_reject_other_format', ['audit', 'export', '--format', 'syslog', 'j'], /--format must be otlp/],
    ['test_reject_endpoint_and_output', ['audit', 'export', '--format', 'otlp', '--endpoint', 'http://127.0.0.1:1', '-o', 'x', 'j'], /not both/],
    ['test_reject_endpoint_scheme', ['audit', 'export', '--format', 'otlp', '--endpoint', 'file:///etc/passwd', 'j'], /http:\/\/ or https:\/\//],
    ['test_reject_endpoint_not_url', ['audit', 'export', '--format', 'otlp', '--endpoint', 'no url', 'j'], /not a URL/],
    ['test_reject_endpoint_credentials', ['audit', 'export', '--format', 'otlp', '--endpoint', 'http://u:p@127.0.0.1:1', 'j'], /credentials/],
    ['test_reject_batch_zero', ['audit', 'export', '--format', 'otlp', '--batch', '0', 'j'], /--batch must be an integer from 1/],
    ['test_reject_batch_huge', ['audit', 'export', '--format', 'otlp', '--batch', '99999999', 'j'], /--batch must be/],
    ['test_reject_retries_text', ['audit', 'export', '--format', 'otlp', '--retries', '1e3', 'j'], /--retries must be/],
    ['test_reject_device_control', ['audit', 'export', '--format', 'otlp', '--device', 'a\x1b[2K', 'j'], /--device must be/],
    ['test_reject_no_journal', ['audit', 'export', '--format', 'otlp'], /expected 1 argument/],
  ])('%s', async (_name, argv, message) => {
    const run = await runCli(argv, dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  test('test_reject_bad_journal_line: a journal that does not parse is refused (exit 2), nothing sent', async () => {
    const path = join(dir, 'bad.journal');
    writeFileSync(path, 'audit v2 nonsense\n');
    const receiver = await startOtlpReceiver();
    try {
      const run = await runCli(['audit', 'export', '--format', 'otlp', '--endpoint', receiver.url, path], dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/bad\.journal:1: not a journal/);
      expect(receiver.requests).toBe(0);
    } finally {
      await receiver.close();
    }
  });
});
