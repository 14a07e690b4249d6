import { createPublicKey, type KeyObject } from 'node:crypto';
import { hashRecord, verifyChain, verifyJournal, verifyJournalText, writeJournal, type AuditRecord } from '@nexus/audit';
import { RouteClient, KeystoreClient, LogClient, PolicyClient, taskTransport } from '@nexus/proto';
import { describe, expect, test } from 'vitest';
import { AuditReader } from './audit-reader.js';
import { bootSystem, type BootedSystem } from './boot-system.js';
import { defaultPolicyDir } from './default-policy-dir.js';

/**
 * Issue #12, "logd can forget a record without the chain saying so": an ordinary task asks policyd
 * VERSION 4300 times (each one an audited decision), so logd's audit ring (4096 records) evicts the
 * records other services caused first. The chain must declare that eviction (`audit-evicted`, exact
 * range, bridged), so an auditor's copy read back from logd verifies as "evicted, declared" under
 * the checkpoint and the audit key, and a record fabricated inside the declared run, or a run whose
 * count was changed, does not.
 */
const FLOOD = 4300;
const CHUNK = 1000;
const PARALLEL = 8;

const askers = new WeakMap<BootedSystem, PolicyClient>();

async function flood(system: BootedSystem, count: number): Promise<number> {
  let policy = askers.get(system);
  if (policy === undefined) {
    const hostile = system.kernel.spawn('hostile');
    policy = new PolicyClient(taskTransport(hostile, system.kernel.grant(system.policyd.endpoint, hostile)));
    askers.set(system, policy);
  }
  const asker = policy;
  let answered = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < count) {
        next++;
        if ((await asker.version()).allow) answered++;
      }
    }),
  );
  return answered;
}

async function logClient(system: BootedSystem): Promise<LogClient> {
  const out = await new RouteClient(system.client, system.clientRouter).route('logd');
  if (out.status !== 'ok') throw new Error(`route to logd: ${out.status} ${JSON.stringify(system.policyd.auditStats(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))} rights=${system.kernel.rightsHeld(system.client)}`);
  return new LogClient(taskTransport(system.client, out.cap));
}

/** Reads everything new up to the current head into `reader`. */
async function readInto(reader: AuditReader, system: BootedSystem, toSeq = system.policyd.checkpoint().seq): Promise<void> {
  const read = await reader.readNew(await logClient(system), toSeq);
  if (!read.ok) throw new Error(read.cause);
}

async function auditKey(system: BootedSystem): Promise<KeyObject> {
  const cap = system.kernel.grant(system.keystored.endpoint, system.client);
  const res = await new KeystoreClient(taskTransport(system.client, cap)).auditPubkey();
  if (res.status !== 'ok') throw new Error(`audit key: ${res.status}`);
  return createPublicKey({ key: Buffer.from(res.auditKey.spkiDer), format: 'der', type: 'spki' });
}

const entries = (list: readonly AuditRecord[]): { line: number; record: AuditRecord }[] => list.map((record, i) => ({ line: i + 1, record }));

describe('eviction flood (issue #12)', () => {
  test('test_reject_silent_eviction: 4300 VERSION questions evict the first records from logd; the chain declares them, the copy verifies', async () => {
    const system = await bootSystem({ policyDir: defaultPolicyDir(), console: () => {}, logTimeoutMs: 2000 });
    const reader = new AuditReader();
    // Another service's record first: init-lite asks policyd about the client's ROUTE to logd.
    await readInto(reader, system);
    await system.policyd.flush();
    const first = system.policyd.checkpoint().seq;
    expect(first).toBeGreaterThan(0n);
    let answered = 0;
    for (let done = 0; done < FLOOD; done += CHUNK) {
      answered += await flood(system, Math.min(CHUNK, FLOOD - done));
      await readInto(reader, system); // the auditor's copy, read back as logd holds it
    }
    expect(answered).toBeGreaterThan(0); // its allows past its share of the audit fallback are DENY (fair), recorded
    await system.policyd.flush();
    const checkpoint = system.policyd.checkpoint();
    await readInto(reader, system, checkpoint.seq);
    const stats = system.policyd.auditStats();
    expect(stats.evicted).toBeGreaterThan(0n);
    expect({ lost: stats.lost, undeclared: stats.undeclared, refused: stats.evictionsRefused }).toEqual({ lost: 0n, undeclared: 0n, refused: 0n });
    // At rest the last records (the final declaration and seal) displaced a few more: the next batch declares them.
    expect(stats.evictionsPending).toBeLessThanOrEqual(8n);
    expect(checkpoint.dropped).toBe(stats.evicted);

    const records = reader.records(checkpoint.seq);
    // The first records (the client's route, the boot's) are gone from logd and from the copy ...
    expect(records[0]!.seq).toBeGreaterThan(first);
    // ... and the chain says so: declared runs cover them, exactly, from seq 1.
    const runs = records.filter((r) => r.kind === 'audit-evicted').map((r) => r.lost!);
    expect(runs[0]!.fromSeq).toBe(1n);
    expect(runs.reduce((n, run) => n + run.count, 0n)).toBe(stats.evicted);
    for (const run of runs) expect(run.count).toBe(run.toSeq - run.fromSeq + 1n);
    expect(verifyChain(records, checkpoint)).toMatchObject({ ok: true });

    // The journal as `nexus-policy audit verify --key` reads it, under the key fetched from keystored.
    const publicKey = await auditKey(system);
    expect(verifyJournalText(writeJournal(records), { publicKey })).toMatchObject({ status: 'ok', tail: 0 });

    // A record fabricated inside the declared run (a real decision moved there and re-hashed).
    const run = runs[0]!;
    const model = records.find((r) => r.kind === 'decision')!;
    const fake: AuditRecord = { ...model, seq: run.fromSeq + 1n, prevHash: new Uint8Array(32) };
    const forged = [{ ...fake, hash: hashRecord(fake.prevHash, fake) }, ...records];
    expect(verifyChain(forged, checkpoint)).toMatchObject({ ok: false, kind: 'lost-range' });
    expect(verifyJournal(entries(forged), { publicKey })).toMatchObject({ status: 'broken', kind: 'lost-range' });

    // A declaration whose count no longer matches its range.
    const at = records.findIndex((r) => r.kind === 'audit-evicted');
    const miscounted = records.map((r, i) => (i === at ? { ...r, lost: { ...r.lost!, count: r.lost!.count + 1n } } : r));
    expect(verifyChain(miscounted, checkpoint)).toMatchObject({ ok: false, kind: 'lost-range' });
    expect(verifyJournal(entries(miscounted), { publicKey })).toMatchObject({ status: 'broken', kind: 'lost-range' });

    // Without the declaration the gap is a truncation nothing explains.
    expect(verifyChain(records.filter((_, i) => i !== at), checkpoint)).toMatchObject({ ok: false });
  }, 120_000);

  test('a one-shot read of a wrapped ring verifies as a window: every missing seq up to the last declaration is declared', async () => {
    const system = await bootSystem({ policyDir: defaultPolicyDir(), console: () => {}, logTimeoutMs: 2000 });
    expect(await flood(system, FLOOD)).toBeGreaterThan(0);
    await system.policyd.flush();
    const reader = new AuditReader();
    await readInto(reader, system);
    const records = reader.records();
    expect(verifyChain(records)).toMatchObject({ ok: true });
    const declared = records.filter((r) => r.kind === 'audit-evicted').reduce((top, r) => (r.lost!.toSeq > top ? r.lost!.toSeq : top), 0n);
    // What logd evicted after the last declaration (the declaration and the final seal displace the
    // oldest records in turn) is declared by the next one: at most a batch plus those records.
    expect(records[0]!.seq - 1n - declared).toBeGreaterThanOrEqual(0n);
    expect(records[0]!.seq - 1n - declared).toBeLessThanOrEqual(64n + 8n);
  }, 120_000);
});
