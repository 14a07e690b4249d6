import { decodeRecord, verifyChain } from '@nexus/audit';
import { Kernel } from '@nexus/ipc';
import { decodeLogReply, encodeLogRequest, LO_STATUS, LogClient } from '@nexus/proto';
import { startFakePolicyd } from '@nexus/test-support';
import { describe, expect, test } from 'vitest';
import { appendAuditBlock, decisionInput, newChain, readJournal, useDurableRigs, type DurableRig } from '../test-support/durable-rig.js';
import { startLogd } from './start-logd.js';

const { stateDir, boot, crash } = useDurableRigs();

/** A logd keeping its journals in memory, with the same rig shape as a durable one. */
function bootMemory(): DurableRig {
  const kernel = new Kernel();
  const fake = startFakePolicyd(kernel, 'allow');
  const lines: string[] = [];
  const logd = startLogd(kernel, { auditWriter: fake.task.serviceId, console: (l) => lines.push(l) });
  logd.connectPolicyd(kernel.grant(fake.endpoint, logd.task));
  const app = kernel.spawn('app');
  const appToLogd = kernel.grant(logd.endpoint, app);
  const reader = new LogClient(async (frame, timeoutMs) => (await app.call(appToLogd, frame, { timeoutMs })).frame, { timeoutMs: 5000 });
  return { kernel, logd, policyd: fake.task, toAudit: kernel.grant(logd.auditEndpoint, fake.task), app, appToLogd, reader, lines };
}

const sealedBlock = (n: number, from = 0): Uint8Array[] => {
  const chain = newChain();
  return Array.from({ length: from + n }, (_, i) => chain.appendSealed(decisionInput(i)).encoded).slice(from);
};

describe('APPEND_BLOCK', () => {
  const modes: ReadonlyArray<[string, () => DurableRig]> = [
    ['in memory', bootMemory],
    ['on disk', () => boot(stateDir())],
  ];

  test.each(modes)('%s: a block of 64 records is stored in order, ids from the first, the chain verifies', async (_name, make) => {
    const rig = make();
    const block = sealedBlock(64);
    expect(await appendAuditBlock(rig, block)).toEqual({ status: LO_STATUS.OK, stored: 64, firstId: 1n });
    const records = (await readJournal(rig)).map(decodeRecord);
    expect(records.map((r) => r.seq)).toEqual(block.map((b) => decodeRecord(b).seq));
    expect(verifyChain(records).ok).toBe(true);
    expect(rig.logd.stats().audit).toMatchObject({ total: 64n, count: 64 });
  });

  test.each(modes)('test_reject_block_with_a_bad_record (%s): the records before it are stored, MALFORMED names the prefix', async (_name, make) => {
    const rig = make();
    const block = sealedBlock(5);
    const bad = Uint8Array.from(block[2] as Uint8Array);
    bad[0] = 0xff;
    expect(await appendAuditBlock(rig, [block[0], block[1], bad, block[3], block[4]] as Uint8Array[])).toEqual({ status: LO_STATUS.MALFORMED, stored: 2, firstId: 1n });
    expect((await readJournal(rig)).map((b) => decodeRecord(b).seq)).toEqual([1n, 2n]);
    expect(rig.logd.stats()).toMatchObject({ auditMalformed: 1n });
  });

  test('test_reject_block_from_another_task: a forgery attempt, DENIED and counted, nothing stored', async () => {
    const rig = bootMemory();
    const req = { version: 2, op: 4, nonce: 9n, records: sealedBlock(2) } as const;
    const reply = decodeLogReply((await rig.app.call(rig.appToLogd, encodeLogRequest(req), { timeoutMs: 2000 })).frame, { version: 2, op: 4, nonce: 9n });
    expect(reply).toMatchObject({ status: LO_STATUS.DENIED, stored: 0 });
    expect(rig.logd.stats()).toMatchObject({ rejectedForged: 1n, audit: { count: 0 } });
  });

  test('test_reject_block_on_general_endpoint: the writer\'s block only on the audit endpoint', async () => {
    const rig = bootMemory();
    const toGeneral = rig.kernel.grant(rig.logd.endpoint, rig.policyd);
    expect(await appendAuditBlock({ policyd: rig.policyd, toAudit: toGeneral }, sealedBlock(2))).toEqual({ status: LO_STATUS.DENIED, stored: 0, firstId: 0n });
    expect(rig.logd.stats()).toMatchObject({ wrongEndpoint: 1n, audit: { count: 0 } });
  });

  test('on disk a block costs one group commit, and every acknowledged record survives a crash', async () => {
    const dir = stateDir();
    const rig = boot(dir);
    expect(await appendAuditBlock(rig, sealedBlock(64))).toMatchObject({ status: LO_STATUS.OK, stored: 64 });
    expect(rig.logd.stats().storage?.syncs).toBeLessThanOrEqual(2);
    await crash(rig);
    const again = boot(dir);
    expect((await readJournal(again)).map((b) => decodeRecord(b).seq)).toEqual(Array.from({ length: 64 }, (_, i) => BigInt(i + 1)));
  });

  test('test_reject_block_over_quota: FULL after the prefix that fits, nothing after it is written', async () => {
    const dir = stateDir();
    const rig = boot(dir, { segmentBytes: 8192, auditQuotaBytes: 16_384 });
    const all = sealedBlock(64 * 3);
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await appendAuditBlock(rig, all.slice(i * 64, i * 64 + 64)));
    const cut = replies.find((r) => r.status !== LO_STATUS.OK);
    expect(cut?.status).toBe(LO_STATUS.FULL);
    const acked = replies.reduce((n, r) => n + r.stored, 0);
    expect(acked).toBeLessThan(all.length);
    await crash(rig);
    const again = boot(dir, { segmentBytes: 8192, auditQuotaBytes: 16_384 });
    expect((await readJournal(again)).map((b) => decodeRecord(b).seq)).toEqual(Array.from({ length: acked }, (_, i) => BigInt(i + 1)));
  });
});
