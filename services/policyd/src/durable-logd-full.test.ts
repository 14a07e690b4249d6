import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRecord, verifyChain, type AuditRecord } from '@nexus/audit';
import { FrameReader, Kernel, type SendCap, type Task } from '@nexus/ipc';
import { startLogd, type LogdHandle } from '@nexus/logd';
import { encodePolicyRequest, LO_JOURNAL, LogClient, PO_STATUS } from '@nexus/proto';
import { compilePolicy } from '@nexus/sel';
import { startFakePolicyd } from '@nexus/test-support';
import { afterEach, describe, expect, test } from 'vitest';
import { startPolicyd } from './start-policyd.js';

const policy = compilePolicy([{ path: 'boot.toml', text: '[allow]\nselftest-client = ["ipc.core", "audit.read"]\nlogd = ["policy.delegate"]\n' }]);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function status(reply: Uint8Array): number {
  const r = new FrameReader(reply);
  r.bytes(3);
  r.u8();
  return r.u8();
}

async function readAudit(kernel: Kernel, reader: Task, logd: LogdHandle): Promise<AuditRecord[]> {
  const route: SendCap = kernel.grant(logd.endpoint, reader);
  const log = new LogClient(async (frame, timeoutMs) => (await reader.call(route, frame, { timeoutMs })).frame, { timeoutMs: 5000 });
  const out: AuditRecord[] = [];
  let cursor = 0n;
  do {
    const page = await log.query({ journal: LO_JOURNAL.AUDIT, cursor, maxCount: 64 });
    expect(page.status).toBe('ok');
    out.push(...page.records.map(decodeRecord));
    cursor = page.nextCursor;
  } while (cursor !== 0n);
  return out;
}

describe('a full durable logd (fullAction deny)', () => {
  test('decisions turn DENY once the UART bound is spent; nothing logd acknowledged is lost; the refusal is counted', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'policyd-logd-full-'));
    dirs.push(stateDir);
    const kernel = new Kernel();
    const lines: string[] = [];
    const policyd = startPolicyd(kernel, { policy, console: { write: (line) => lines.push(line) }, uartBudget: 8, logRetryMs: 60_000 });
    const small = { stateDir, segmentBytes: 8192, auditQuotaBytes: 16_384 } as const;
    const logd = startLogd(kernel, { auditWriter: policyd.task.serviceId, ...small });
    logd.connectPolicyd(kernel.grant(policyd.endpoint, logd.task));
    policyd.connectLogd(kernel.grant(logd.auditEndpoint, policyd.task));
    const client = kernel.spawn('selftest-client');
    const route = kernel.grant(policyd.endpoint, client);
    const frame = encodePolicyRequest({ version: 1, op: 4, subjectId: client.serviceId, cap: 'ipc.core' });
    const answers: number[] = [];
    for (let i = 0; i < 300; i++) {
      answers.push(status((await client.call(route, frame, { timeoutMs: 5000 })).frame));
      // One decision at a time reaches logd's disk: the UART lines held by ALLOWs in flight are
      // then free again, so the DENY below is the full disk's doing, not a slow sync's.
      await policyd.flush();
      if (answers.slice(-5).every((a) => a === PO_STATUS.DENY) && answers.length >= 5) break;
    }
    await policyd.flush();
    const firstDeny = answers.indexOf(PO_STATUS.DENY);
    expect(firstDeny).toBeGreaterThan(60); // the quota holds about 80 records
    expect(answers.slice(firstDeny).every((a) => a === PO_STATUS.DENY)).toBe(true);
    const stored = logd.stats().audit.count;
    expect(logd.stats().storage?.refusedFull).toBeGreaterThan(0n);
    const sink = policyd.auditStats();
    expect(sink.sink).toBe('uart');
    // Every ALLOW answered has a record: in logd, or on the UART.
    expect(sink.recordedDecisions).toBeGreaterThanOrEqual(BigInt(firstDeny));

    // Restart logd on the same dir: everything it acknowledged is there and chains from seq 1.
    // (Read in a second kernel whose stand-in policyd allows the read: this policyd denies it, fail
    // closed, because it still cannot record the read's own decision.)
    kernel.kill(logd.task);
    await logd.close();
    const k2 = new Kernel();
    const fake = startFakePolicyd(k2, 'allow');
    const again = startLogd(k2, { auditWriter: fake.task.serviceId, ...small });
    again.connectPolicyd(k2.grant(fake.endpoint, again.task));
    const records = await readAudit(k2, k2.spawn('reader'), again);
    expect(records.length).toBeGreaterThanOrEqual(stored);
    expect(records.slice(0, stored).map((r) => r.seq)).toEqual(Array.from({ length: stored }, (_, i) => BigInt(i + 1)));
    expect(verifyChain(records.slice(0, stored)).ok).toBe(true);
    await again.close();
  });
});
