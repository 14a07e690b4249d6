import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeLogRecord, LO_JOURNAL, LO_STATUS } from '@nexus/proto';
import { decodeRecord, verifyChain } from '@nexus/audit';
import { describe, expect, test } from 'vitest';
import { appendAudit, decisionInput, newChain, readJournal, useDurableRigs } from '../test-support/durable-rig.js';

const { stateDir, boot, crash } = useDurableRigs();

describe('startLogd with a stateDir', () => {
  test('audit records survive a restart, ids continue, the chain verifies', async () => {
    const dir = stateDir();
    const chain = newChain();
    const first = boot(dir);
    expect(first.lines[0]).toMatch(/^logd: recovered audit 0 records in 0 segments, no torn tail, 0 corrupt \(0 boots\); general 0 records/);
    for (let i = 0; i < 50; i++) {
      const r = await appendAudit(first, chain.appendSealed(decisionInput(i)).encoded);
      expect(r).toEqual({ status: LO_STATUS.OK, recordId: BigInt(i + 1), dropped: 0n });
    }
    await crash(first);
    const second = boot(dir);
    expect(second.lines[0]).toMatch(/^logd: recovered audit 50 records in 1 segments, no torn tail, 0 corrupt \(1 boots\)/);
    for (let i = 50; i < 60; i++) expect((await appendAudit(second, chain.appendSealed(decisionInput(i)).encoded)).recordId).toBe(BigInt(i + 1));
    const records = (await readJournal(second)).map(decodeRecord);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 60 }, (_, i) => BigInt(i + 1)));
    expect(verifyChain(records).ok).toBe(true);
    expect(second.logd.stats().audit).toMatchObject({ total: 60n, count: 60, dropped: 0n });
    expect(second.logd.stats().storage?.boots).toHaveLength(1);
  });

  test('group commit: a burst of appends costs far fewer fdatasyncs than records', async () => {
    const rig = boot(stateDir());
    const chain = newChain();
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => appendAudit(rig, chain.appendSealed(decisionInput(i)).encoded)));
    expect(replies.every((r) => r.status === LO_STATUS.OK)).toBe(true);
    expect(replies.map((r) => r.recordId)).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(i + 1)));
    const syncs = rig.logd.stats().storage?.syncs ?? 0;
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(10);
  });

  test('segments rotate at the size bound and QUERY reads across them and from disk past the cache', async () => {
    const dir = stateDir();
    const chain = newChain();
    const rig = boot(dir, { segmentBytes: 8192, audit: { maxRecords: 16 } });
    for (let i = 0; i < 200; i++) await appendAudit(rig, chain.appendSealed(decisionInput(i)).encoded);
    const segments = readdirSync(join(dir, 'audit'));
    expect(segments.length).toBeGreaterThan(3);
    const all = (await readJournal(rig)).map(decodeRecord);
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i + 1)));
    // By seq: a range far before the cache.
    const some = (await readJournal(rig, { fromSeq: 40n, toSeq: 45n })).map((b) => decodeRecord(b).seq);
    expect(some).toEqual([40n, 41n, 42n, 43n, 44n, 45n]);
    await crash(rig);
    const again = boot(dir, { segmentBytes: 8192, audit: { maxRecords: 16 } });
    expect((await readJournal(again)).length).toBe(200);
  });

  test('general records are durable too and kept apart from audit', async () => {
    const dir = stateDir();
    const rig = boot(dir);
    for (let i = 0; i < 5; i++) expect((await rig.reader.append({ level: 2, scope: 'app', msg: `m${i}`, fields: new Uint8Array(0) })).status).toBe('ok');
    await crash(rig);
    const again = boot(dir);
    const records = (await readJournal(again, { journal: LO_JOURNAL.GENERAL })).map(decodeLogRecord);
    expect(records.map((r) => r.msg)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(records.map((r) => r.recordId)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(records.every((r) => r.serviceId === again.app.serviceId)).toBe(true);
    expect(readdirSync(join(dir, 'audit')).length).toBe(1);
  });

  test('previous boots stay readable and each verifies on its own', async () => {
    const dir = stateDir();
    for (let bootNo = 0; bootNo < 3; bootNo++) {
      const rig = boot(dir);
      const chain = newChain();
      for (let i = 0; i < 10; i++) await appendAudit(rig, chain.appendSealed(decisionInput(i)).encoded);
      await crash(rig);
    }
    const rig = boot(dir);
    const boots = rig.logd.stats().storage?.boots ?? [];
    expect(boots.map((b) => [b.firstId, b.lastId, b.records])).toEqual([[1n, 10n, 10], [11n, 20n, 10], [21n, 30n, 10]]);
    const records = (await readJournal(rig)).map(decodeRecord);
    for (const b of boots) {
      const mine = records.slice(Number(b.firstId) - 1, Number(b.lastId));
      expect(verifyChain(mine).ok).toBe(true);
    }    // A seq range names the newest boot's chain (seqs restart per boot); cursors reach every boot.
    const newest = (await readJournal(rig, { fromSeq: 1n })).map(decodeRecord);
    expect(newest.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i + 1)));
    expect(newest.map((r) => r.hash)).toEqual(records.slice(20).map((r) => r.hash));
  });
});
