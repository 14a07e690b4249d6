import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditChain, formatRecordLine } from '@nexus/audit';
import { Kernel } from '@nexus/ipc';
import { startLogd } from '@nexus/logd';
import { decodeLogReply, encodeLogRequest } from '@nexus/proto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, runJson } from '../test-support/run-cli.js';

const POLICY_VERSION = `sha256:${'ab'.repeat(32)}`;
let dir = '';

/** One logd run on `stateDir` with a new boot of `n` decisions appended and acknowledged. */
async function bootWith(stateDir: string, n: number): Promise<void> {
  const kernel = new Kernel();
  const writer = kernel.spawn('policyd');
  const logd = startLogd(kernel, { auditWriter: writer.serviceId, stateDir });
  const route = kernel.grant(logd.auditEndpoint, writer);
  const chain = new AuditChain({ policyVersion: POLICY_VERSION });
  for (let i = 0; i < n; i++) {
    const fields = chain.appendSealed({
      timestampNs: BigInt(i + 1), subjectId: 0x42n, senderId: 0x42n, op: 'check_cap', action: 'ipc.core',
      decision: 'allow', reason: 'policy-allow', policyVersion: POLICY_VERSION,
    }).encoded;
    const req = { version: 2, op: 1, nonce: 1n, level: 2, scope: 'policyd.audit', msg: '', fields } as const;
    const reply = decodeLogReply((await writer.call(route, encodeLogRequest(req), { timeoutMs: 5000 })).frame, { version: 2, op: 1, nonce: 1n });
    expect(reply.status).toBe(0);
  }
  kernel.kill(logd.task);
  await logd.close();
}

/**
 * One logd boot on `stateDir` whose records `uart` (seqs) went to the serial line instead (written
 * to `uartFile` as `--uart-out` writes them), the rest acknowledged by logd.
 */
async function bootWithUart(stateDir: string, n: number, uart: ReadonlySet<number>, uartFile: string, subjectId = 0x42n): Promise<void> {
  const kernel = new Kernel();
  const writer = kernel.spawn('policyd');
  const logd = startLogd(kernel, { auditWriter: writer.serviceId, stateDir });
  const route = kernel.grant(logd.auditEndpoint, writer);
  const chain = new AuditChain({ policyVersion: POLICY_VERSION });
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    const sealed = chain.appendSealed({
      timestampNs: BigInt(i), subjectId, senderId: subjectId, op: 'check_cap', action: 'ipc.core',
      decision: 'allow', reason: 'policy-allow', policyVersion: POLICY_VERSION,
    });
    if (uart.has(i)) {
      lines.push(formatRecordLine(sealed.record));
      continue;
    }
    const req = { version: 2, op: 1, nonce: 1n, level: 2, scope: 'policyd.audit', msg: '', fields: sealed.encoded } as const;
    const reply = decodeLogReply((await writer.call(route, encodeLogRequest(req), { timeoutMs: 5000 })).frame, { version: 2, op: 1, nonce: 1n });
    expect(reply.status).toBe(0);
  }
  writeFileSync(uartFile, `${lines.join('\n')}\n`);
  kernel.kill(logd.task);
  await logd.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nexus-policy-state-'));
  await bootWith(dir, 5);
  await bootWith(dir, 3);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('audit verify / show on a logd state dir', () => {
  test('every boot is verified on its own', async () => {
    const run = await runCli(['audit', 'verify', dir, '--allow-unsigned']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2 boots, 8 records');
    expect(run.stdout.match(/boot \d: ok/g)).toEqual(['boot 0: ok', 'boot 1: ok']);
    expect(run.stdout).toContain('records: 5, last seq: 5');
    expect(run.stdout).toContain('records: 3, last seq: 3');
  });

  test('without a trust anchor each boot is unverified (exit 1)', async () => {
    const run = await runCli(['audit', 'verify', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout.match(/UNVERIFIED/g)).toHaveLength(2);
  });

  test('--json: one verdict per boot', async () => {
    const { code, json } = await runJson(['audit', 'verify', dir, '--allow-unsigned']);
    expect(code).toBe(0);
    expect(json.boots.map((b: { boot: number; ok: boolean }) => [b.boot, b.ok])).toEqual([[0, true], [1, true]]);
  });

  test('show lists each boot', async () => {
    const run = await runCli(['audit', 'show', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('boot 0');
    expect(run.stdout).toContain('boot 1');
  });

  test('test_reject_corrupt_state_dir: a flipped byte is a warning with segment and offset, exit 1, nothing repaired', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'nexus-policy-state-bad-'));
    try {
      await bootWith(copy, 4);
      const seg = join(copy, 'audit', readdirSync(join(copy, 'audit')).sort()[0] as string);
      const bytes = readFileSync(seg);
      bytes[32 + 40] = (bytes[32 + 40] ?? 0) ^ 1;
      writeFileSync(seg, bytes);
      const run = await runCli(['audit', 'verify', copy, '--allow-unsigned']);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('warning: bad-checksum at 0000000001.seg@32');
      expect(readFileSync(seg).equals(bytes)).toBe(true);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test('test_reject_folder_that_is_not_a_state_dir', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'nexus-policy-empty-'));
    try {
      const run = await runCli(['audit', 'verify', empty]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('not a logd state dir');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('audit verify --uart (the serial line of a boot that lost logd for a while)', () => {
  let uartDir = '';
  beforeAll(async () => {
    uartDir = mkdtempSync(join(tmpdir(), 'nexus-policy-uart-'));
    await bootWithUart(join(uartDir, 'state'), 8, new Set([4, 5]), join(uartDir, 'uart.txt'));
  });
  afterAll(() => rmSync(uartDir, { recursive: true, force: true }));

  test('test_reject_state_dir_alone_after_uart_episode: the gap is reported, with where the records went', async () => {
    const run = await runCli(['audit', 'verify', join(uartDir, 'state'), '--allow-unsigned']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('gap: seq 4 is missing');
  });

  test('merged with the serial line the boot verifies whole', async () => {
    const run = await runCli(['audit', 'verify', join(uartDir, 'state'), '--allow-unsigned', '--uart', join(uartDir, 'uart.txt')]);
    expect(run.stdout).toContain('records: 8, last seq: 8');
    expect(run.code).toBe(0);
  });

  test('test_reject_uart_of_another_run: a serial line that continues no boot is a usage error', async () => {
    const other = join(uartDir, 'other.txt');
    await bootWithUart(join(uartDir, 'other-state'), 4, new Set([2]), other, 0x43n);
    const run = await runCli(['audit', 'verify', join(uartDir, 'state'), '--allow-unsigned', '--uart', other]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('continues no boot');
  });

  test('test_reject_uart_not_a_journal: a damaged serial line file is refused with its line', async () => {
    const bad = join(uartDir, 'bad.txt');
    writeFileSync(bad, 'not a record\n');
    const run = await runCli(['audit', 'verify', join(uartDir, 'state'), '--allow-unsigned', '--uart', bad]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--uart: not a journal');
  });
});

