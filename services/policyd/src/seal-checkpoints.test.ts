import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  CHECKPOINT_DOMAIN,
  CHECKPOINT_LIMITS,
  decodeRecord,
  verifyJournal,
  type AuditRecord,
  type JournalEntry,
} from '@nexus/audit';
import { FrameReader, Kernel, type Task } from '@nexus/ipc';
import {
  KS_OP,
  KS_SEAL_DOMAIN,
  KS_SEAL_MESSAGE_BYTES,
  KS_STATUS,
  decodeKeystoreRequest,
  decodeLogRequest,
  encodeKeystoreAuditPubkey,
  encodeKeystoreReply,
  encodeLogReply,
  encodePolicyRequest,
  LO_MAX_BLOCK_FRAME,
  PO_STATUS,
} from '@nexus/proto';
import { compilePolicy } from '@nexus/sel';
import { describe, expect, test } from 'vitest';
import { startPolicyd, type PolicydHandle } from './start-policyd.js';

const policy = compilePolicy([
  { path: 'boot.toml', text: '[allow]\nkeystored = ["ipc.core", "policy.delegate"]\npolicyd = ["audit.seal"]\nselftest-client = ["ipc.core"]\n' },
]);

type KsMode = 'ok' | 'deny' | 'hang';


interface Rig {
  readonly kernel: Kernel;
  readonly policyd: PolicydHandle;
  readonly logged: Uint8Array[];
  readonly publicKey: KeyObject;
  readonly ks: { mode: KsMode; seals: number; task: Task };
  ask(frame: Uint8Array): Promise<number>;
  /** Resolves once `connectKeystore` did (true: sealing is wired). */
  readonly connected: Promise<boolean>;
}

function status(reply: Uint8Array): number {
  const r = new FrameReader(reply);
  r.bytes(2);
  const version = r.u8();
  r.u8();
  if (version !== 1) r.u32();
  return r.u8();
}

/** policyd with a stand-in logd that keeps every APPEND, and a stand-in keystored holding the audit key. */
function rig(options: { keystored?: boolean; sealEveryRecords?: number } = {}): Rig {
  const kernel = new Kernel();
  const policyd = startPolicyd(kernel, {
    policy, console: { write: () => undefined }, sealEveryRecords: options.sealEveryRecords ?? 4, sealTimeoutMs: 100,
  });
  const logdTask = kernel.spawn('logd');
  const lo = kernel.createEndpoint(logdTask, { maxFrame: LO_MAX_BLOCK_FRAME });
  const logged: Uint8Array[] = [];
  logdTask.serve(lo.recv, (msg) => {
    const req = decodeLogRequest(msg.frame);
    if (req.ok && req.request.op === 4) {
      const firstId = BigInt(logged.length + 1);
      logged.push(...req.request.records);
      return encodeLogReply({ version: 2, nonce: req.request.nonce, op: 4, status: 0, stored: req.request.records.length, firstId, dropped: 0n });
    }
    if (!req.ok || req.request.op !== 1 || req.request.version !== 2) return undefined;
    logged.push(req.request.fields);
    return encodeLogReply({ version: 2, nonce: req.request.nonce, op: 1, status: 0, recordId: BigInt(logged.length), dropped: 0n });
  });
  policyd.connectLogd(kernel.grant(lo.send, policyd.task));

  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })).subarray(12);
  const task = kernel.spawn('keystored');
  const ep = kernel.createEndpoint(task, { maxFrame: 4096 });
  const ks = { mode: 'ok' as KsMode, seals: 0, task };
  task.serve(ep.recv, async (msg) => {
    const req = decodeKeystoreRequest(msg.frame);
    if (!req.ok) return req.reply;
    if (req.request.op === KS_OP.AUDIT_PUBKEY) return encodeKeystoreReply({ op: KS_OP.AUDIT_PUBKEY, status: KS_STATUS.OK, value: encodeKeystoreAuditPubkey(raw) });
    if (req.request.op !== KS_OP.SEAL) return encodeKeystoreReply({ op: req.request.op, status: KS_STATUS.UNSUPPORTED, value: new Uint8Array(0) });
    // Slower than policyd's seal timeout (100 ms): the seal is given up, but keystored recovers.
    if (ks.mode === 'hang') await new Promise((resolve) => setTimeout(resolve, 250));
    if (ks.mode === 'hang') return encodeKeystoreReply({ op: KS_OP.SEAL, status: KS_STATUS.DENY, value: new Uint8Array(0) });
    if (ks.mode === 'deny') return encodeKeystoreReply({ op: KS_OP.SEAL, status: KS_STATUS.DENY, value: new Uint8Array(0) });
    ks.seals++;
    return encodeKeystoreReply({ op: KS_OP.SEAL, status: KS_STATUS.OK, value: new Uint8Array(sign(null, req.request.message, privateKey)) });
  });
  const client = kernel.spawn('selftest-client');
  const route = kernel.grant(policyd.endpoint, client);
  const connected = options.keystored === false ? Promise.resolve(false) : policyd.connectKeystore(kernel.grant(ep.send, policyd.task));
  return {
    kernel, policyd, logged, publicKey, ks, connected,
    ask: async (frame) => status((await client.call(route, frame, { timeoutMs: 2000 })).frame),
  };
}

function journal(r: Rig): JournalEntry[] {
  const records: AuditRecord[] = r.logged.map((b) => decodeRecord(b)).sort((a, b) => (a.seq < b.seq ? -1 : 1));
  return records.map((record, i) => ({ line: i + 1, record }));
}

const FRAMES: readonly { frame: Uint8Array; status: number }[] = [
  { frame: encodePolicyRequest({ version: 1, op: 1, name: 'selftest-client' }), status: PO_STATUS.ALLOW },
  { frame: encodePolicyRequest({ version: 1, op: 4, subjectId: 1n, cap: 'crypto.sign' }), status: PO_STATUS.DENY },
  { frame: Uint8Array.of(0x50, 0x4f, 1), status: PO_STATUS.MALFORMED },
];

async function decide(r: Rig, rounds: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) for (const f of FRAMES) out.push(await r.ask(f.frame));
  return out;
}

describe('policyd seals checkpoints through keystored', () => {
  test('the wire constants of SEAL are the checkpoint message of @nexus/audit', () => {
    expect([...KS_SEAL_DOMAIN]).toEqual([...CHECKPOINT_DOMAIN]);
    expect(KS_SEAL_MESSAGE_BYTES).toBe(CHECKPOINT_LIMITS.messageBytes);
  });

  test('decisions are sealed every N records and on flush: the journal verifies under the audit key with no tail', async () => {
    const r = rig();
    expect(await r.connected).toBe(true);
    await decide(r, 5);
    await r.policyd.flush();
    const verdict = verifyJournal(journal(r), { publicKey: r.publicKey });
    expect(verdict).toMatchObject({ status: 'ok', tail: 0 });
    expect(verdict.status === 'ok' && verdict.seals).toBeGreaterThanOrEqual(3);
    expect(r.policyd.sealerStats()).toMatchObject({ unsealed: 0 });
    expect(journal(r).at(-1)?.record.kind).toBe('checkpoint');
  });

  test('sealing never changes a decision: the same frames get the same answers with and without keystored', async () => {
    const sealed = rig();
    const plain = rig({ keystored: false });
    sealed.ks.mode = 'hang';
    const expected = FRAMES.map((f) => f.status);
    expect(await decide(sealed, 4)).toEqual([...expected, ...expected, ...expected, ...expected]);
    expect(await decide(plain, 4)).toEqual(await decide(sealed, 4));
  });

  for (const mode of ['deny', 'hang'] as const) {
    test(`keystored ${mode}: the checkpoint is chained unsealed, and the next seal covers it`, async () => {
      const r = rig();
      await r.connected;
      await decide(r, 1);
      await r.policyd.flush();
      r.ks.mode = mode;
      await decide(r, 3);
      await r.policyd.flush();
      expect(r.policyd.sealerStats().unsealed).toBeGreaterThan(0);
      expect(verifyJournal(journal(r), { publicKey: r.publicKey })).toMatchObject({ status: 'unverified', reason: 'unsealed-tail' });
      r.ks.mode = 'ok';
      await decide(r, 1);
      await r.policyd.flush();
      expect(verifyJournal(journal(r), { publicKey: r.publicKey })).toMatchObject({ status: 'ok', tail: 0 });
      expect(journal(r).some((e) => e.record.kind === 'checkpoint' && e.record.checkpoint?.signature === undefined)).toBe(true);
    });
  }

  test('close() ends the chain on a seal and stops the sealer', async () => {
    const r = rig({ sealEveryRecords: 1000 });
    await r.connected;
    await decide(r, 2);
    await r.policyd.close();
    expect(verifyJournal(journal(r), { publicKey: r.publicKey })).toMatchObject({ status: 'ok', tail: 0 });
    const seals = r.ks.seals;
    await decide(r, 1);
    await r.policyd.flush();
    expect(r.ks.seals).toBe(seals);
  });

  test('test_reject_second_connectKeystore, and a keystored without an audit key leaves the chain unsealed', async () => {
    const r = rig();
    await r.connected;
    const cap = r.kernel.grant(r.kernel.createEndpoint(r.ks.task, { maxFrame: 64 }).send, r.policyd.task);
    await expect(r.policyd.connectKeystore(cap)).rejects.toMatchObject({ code: 'ALREADY_CONNECTED' });
    const kernel = new Kernel();
    const p = startPolicyd(kernel, { policy, console: { write: () => undefined } });
    const dead = kernel.spawn('keystored');
    const ep = kernel.createEndpoint(dead, { maxFrame: 64 });
    const deadCap = kernel.grant(ep.send, p.task);
    kernel.kill(dead);
    expect(await p.connectKeystore(deadCap)).toBe(false);
    expect(p.sealerStats().sealed).toBe(0);
  });
});
