import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeRecord, verifyChain, type AuditChain } from '@nexus/audit';
import { LO_JOURNAL, LO_STATUS } from '@nexus/proto';
import { describe, expect, test } from 'vitest';
import { appendAudit, bootDurable, decisionInput, newChain, readJournal, useDurableRigs } from '../test-support/durable-rig.js';

const { stateDir, boot } = useDurableRigs();

const SMALL = { segmentBytes: 8192, auditQuotaBytes: 16_384 } as const;

/** A checkpoint record covering `headSeq`, sealed (a signature is present) or not. logd checks presence, not validity: the writer is policyd. */
function checkpoint(chain: AuditChain, headSeq: bigint, sealed: boolean): Uint8Array {
  return chain.appendSealed({
    kind: 'checkpoint',
    timestampNs: 5_000n,
    checkpoint: {
      bootId: new Uint8Array(16).fill(7), headSeq, headHash: new Uint8Array(32).fill(1), dropped: 0n,
      prevSealedSeq: 0n, prevSealedHash: new Uint8Array(32), keyId: new Uint8Array(32).fill(2),
      ...(sealed ? { signature: new Uint8Array(64).fill(3) } : {}),
    },
  }).encoded;
}

describe('fullAction deny (default)', () => {
  test('the quota refuses new audit appends with FULL, counts them, and loses nothing acknowledged', async () => {
    const dir = stateDir();
    const rig = boot(dir, SMALL);
    const chain = newChain();
    const acked: bigint[] = [];
    let full = 0;
    for (let i = 0; i < 400 && full < 5; i++) {
      const { encoded, record } = chain.appendSealed(decisionInput(i));
      const r = await appendAudit(rig, encoded);
      if (r.status === LO_STATUS.OK) acked.push(record.seq);
      else {
        expect(r).toEqual({ status: LO_STATUS.FULL, recordId: 0n, dropped: 0n });
        full += 1;
      }
    }
    expect(full).toBe(5);
    expect(rig.logd.stats().storage).toMatchObject({ refusedFull: 5n, deletedAuditSegments: 0 });
    expect(rig.logd.stats().storage?.auditBytes).toBeLessThanOrEqual(SMALL.auditQuotaBytes);
    rig.kernel.kill(rig.logd.task);
    await rig.logd.close();
    const again = boot(dir, SMALL);
    const seqs = (await readJournal(again)).map((b) => decodeRecord(b).seq);
    expect(seqs).toEqual(acked);
    expect(verifyChain((await readJournal(again)).map(decodeRecord)).ok).toBe(true);
  });

  test('general-journal pressure never evicts audit records', async () => {
    const dir = stateDir();
    const rig = boot(dir, { segmentBytes: 8192, generalQuotaBytes: 16_384, generalBurst: 65_536 });
    const chain = newChain();
    for (let i = 0; i < 20; i++) expect((await appendAudit(rig, chain.appendSealed(decisionInput(i)).encoded)).status).toBe(LO_STATUS.OK);
    for (let i = 0; i < 600; i++) {
      expect((await rig.reader.append({ level: 2, scope: 'flood', msg: 'x'.repeat(200), fields: new Uint8Array(0) })).status).toBe('ok');
    }
    const s = rig.logd.stats();
    expect(s.storage?.deletedGeneralSegments).toBeGreaterThan(0);
    expect(s.general.dropped).toBeGreaterThan(0n);
    expect(s.storage?.generalBytes).toBeLessThanOrEqual(16_384);
    expect(s.audit).toMatchObject({ count: 20, dropped: 0n });
    expect(s.storage?.deletedAuditSegments).toBe(0);
    expect((await readJournal(rig)).length).toBe(20);
    expect((await readJournal(rig, { journal: LO_JOURNAL.GENERAL })).length).toBe(s.general.count);
  });
});

describe('fullAction rotate-sealed', () => {
  test('deletes only segments wholly covered by a sealed checkpoint, counts the records as dropped, then refuses', async () => {
    const dir = stateDir();
    const rig = boot(dir, { ...SMALL, fullAction: 'rotate-sealed' });
    const chain = newChain();
    const acked: bigint[] = [];
    const append = async (encoded: Uint8Array, seq: bigint): Promise<{ status: number; dropped: bigint }> => {
      const r = await appendAudit(rig, encoded);
      if (r.status === LO_STATUS.OK) acked.push(seq);
      return r;
    };
    // 60 decisions, sealed up to seq 60, an unsealed checkpoint that must not count, then more.
    for (let i = 0; i < 60; i++) {
      const { encoded, record } = chain.appendSealed(decisionInput(i));
      expect((await append(encoded, record.seq)).status).toBe(LO_STATUS.OK);
    }
    expect((await append(checkpoint(chain, 60n, true), 61n)).status).toBe(LO_STATUS.OK);
    expect((await append(checkpoint(chain, 61n, false), 62n)).status).toBe(LO_STATUS.OK);
    let last = { status: 0, dropped: 0n };
    let i = 60;
    while (last.status === LO_STATUS.OK && i < 1000) {
      const { encoded, record } = chain.appendSealed(decisionInput(i++));
      last = await append(encoded, record.seq);
    }
    expect(last.status).toBe(LO_STATUS.FULL);
    const s = rig.logd.stats();
    expect(s.storage?.deletedAuditSegments).toBeGreaterThan(0);
    expect(s.audit.dropped).toBeGreaterThan(0n);
    // Everything still held starts after the deleted, sealed prefix and is contiguous to the end.
    const seqs = (await readJournal(rig)).map((b) => decodeRecord(b).seq);
    const first = seqs[0] ?? 0n;
    expect(first).toBeGreaterThan(1n);
    expect(first - 1n).toBeLessThanOrEqual(61n); // nothing past the sealed head was deleted
    expect(BigInt(seqs.length) + s.audit.dropped).toBe(BigInt(acked.length));
    expect(seqs).toEqual(acked.slice(acked.length - seqs.length));
    expect(s.audit.dropped).toBe(first - 1n);
    expect(readdirSync(join(dir, 'audit')).length).toBeGreaterThan(0);
  });

  test('with no sealed checkpoint nothing is deleted: FULL like deny', async () => {
    const rig = boot(stateDir(), { ...SMALL, fullAction: 'rotate-sealed' });
    const chain = newChain();
    let status = 0;
    for (let i = 0; i < 400 && status === LO_STATUS.OK; i++) status = (await appendAudit(rig, chain.appendSealed(decisionInput(i)).encoded)).status;
    expect(status).toBe(LO_STATUS.FULL);
    expect(rig.logd.stats().storage?.deletedAuditSegments).toBe(0);
    expect(rig.logd.stats().audit.dropped).toBe(0n);
  });
});

describe('option bounds', () => {
  test.each([
    { name: 'test_reject_quota_below_two_segments', options: { segmentBytes: 8192, auditQuotaBytes: 10_000 } },
    { name: 'test_reject_tiny_segment', options: { segmentBytes: 100 } },
    { name: 'test_reject_unknown_full_action', options: { fullAction: 'halt' as 'deny' } },
    { name: 'test_reject_empty_state_dir', options: { stateDir: '' } },
  ])('$name', ({ options }) => {
    expect(() => bootDurable(stateDir(), options)).toThrow(/BAD_VALUE/);
  });

  test('test_reject_storage_options_without_state_dir', async () => {
    const { startLogd } = await import('./start-logd.js');
    const { Kernel } = await import('@nexus/ipc');
    expect(() => startLogd(new Kernel(), { auditWriter: 1n, fullAction: 'deny' })).toThrow(/need a stateDir/);
  });
});
