import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '@nexus/audit';
import { PO_OP } from '@nexus/proto';
import { describe, expect, test } from 'vitest';
import { AuditReader } from './audit-reader.js';
import { bootSystem } from './boot-system.js';
import { defaultPolicyDir } from './default-policy-dir.js';
import type { PhaseContext } from './phase-context.js';
import { SelftestClient } from './selftest-client.js';
import { syncJournal } from './sync-journal.js';

async function boot(stateDir?: string): Promise<PhaseContext> {
  const system = await bootSystem({ policyDir: defaultPolicyDir(), console: () => undefined, ...(stateDir === undefined ? {} : { stateDir }) });
  return {
    system,
    client: new SelftestClient(system.client, system.clientRouter),
    reader: new AuditReader(),
    installed: undefined,
    verified: undefined,
  };
}

/** `n` allowed VERSION questions: each one is a decision policyd appends to logd. */
async function decide(ctx: PhaseContext, n: number): Promise<void> {
  const policy = await ctx.client.policy();
  if (policy === undefined) throw new Error('no route to policyd');
  for (let i = 0; i < n; i++) {
    const answer = await policy.send((nonce) => ({ version: 2, op: PO_OP.VERSION, nonce }));
    expect(answer.status).toBe('allow');
  }
  await ctx.system.policyd.flush();
}

describe(syncJournal, () => {
  test('with logd up, the copy read back verifies against the checkpoint', async () => {
    const ctx = await boot();
    await decide(ctx, 3);
    const synced = await syncJournal(ctx);
    if (typeof synced === 'string') throw new Error(synced);
    expect(ctx.verified).toBe(synced.checkpoint);
    expect(ctx.reader.lastSeq).toBe(synced.checkpoint.seq);
  });

  test('test_reject_logd_crash_loss: records an in-memory logd held unread are missing, and the checkpoint says so', async () => {
    const ctx = await boot();
    await decide(ctx, 2);
    const first = await syncJournal(ctx);
    if (typeof first === 'string') throw new Error(first);
    const readUpTo = ctx.reader.lastSeq;
    expect(readUpTo).toBeGreaterThan(0n);
    // No staging: logd accepted these appends, nobody read them, and the crash takes them along.
    await decide(ctx, 3);
    const held = ctx.system.policyd.checkpoint().seq;
    expect(held - readUpTo).toBeGreaterThanOrEqual(3n);
    ctx.system.kernel.kill(ctx.system.logd.task);
    await ctx.system.respawnLogd();
    ctx.client.forget('logd');
    await decide(ctx, 2);

    // policyd's sink delivered every record, so it declares no loss: only the checkpoint can tell.
    expect(ctx.system.policyd.auditStats()).toMatchObject({ lost: 0n, undeclared: 0n });
    const checkpoint = ctx.system.policyd.checkpoint();
    expect(await syncJournal(ctx)).toBe('audit chain does not verify (gap)');
    expect(ctx.verified).toBe(first.checkpoint);
    const records = ctx.reader.records(checkpoint.seq);
    expect(records.filter((r) => r.seq > readUpTo && r.seq <= held)).toEqual([]);
    expect(records.at(-1)?.seq).toBe(checkpoint.seq);
    expect(verifyChain(records, checkpoint)).toMatchObject({ ok: false, kind: 'gap', seq: held + 1n });
  });

  test('a durable logd: the same crash loses nothing, and the copy verifies against the checkpoint', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'e2e-sync-durable-'));
    try {
      const ctx = await boot(stateDir);
      await decide(ctx, 2);
      const first = await syncJournal(ctx);
      if (typeof first === 'string') throw new Error(first);
      const readUpTo = ctx.reader.lastSeq;
      await decide(ctx, 3);
      const held = ctx.system.policyd.checkpoint().seq;
      ctx.system.kernel.kill(ctx.system.logd.task);
      await ctx.system.respawnLogd();
      ctx.client.forget('logd');
      await decide(ctx, 2);
      const synced = await syncJournal(ctx);
      if (typeof synced === 'string') throw new Error(synced);
      const records = ctx.reader.records(synced.checkpoint.seq);
      expect(records.filter((r) => r.seq > readUpTo && r.seq <= held)).toHaveLength(Number(held - readUpTo));
      expect(verifyChain(records, synced.checkpoint).ok).toBe(true);
      await ctx.system.logd.close();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
