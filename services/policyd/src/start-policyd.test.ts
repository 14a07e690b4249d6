import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeRecord, parseRecordLine, verifyChain, type AuditRecord } from '@nexus/audit';
import { FrameReader, IpcError, Kernel, type SendCap, type Task } from '@nexus/ipc';
import { startLogd } from '@nexus/logd';
import {
  decodeLogRequest,
  encodeLogReply,
  encodePolicyRequest,
  LO_JOURNAL,
  LO_MAX_BLOCK_FRAME,
  LO_STATUS,
  LogClient,
  type LogStatus,
  PO_STATUS,
  type PolicyRequest,
} from '@nexus/proto';
import { compilePolicy, PolicyError } from '@nexus/sel';
import { describe, expect, test } from 'vitest';
import { PolicydError } from './policyd-error.js';
import { startPolicyd, type PolicydHandle } from './start-policyd.js';

const RECIPES = fileURLToPath(new URL('../../../recipes/policy', import.meta.url));

const policy = compilePolicy([
  {
    path: 'boot.toml',
    text: `[allow]
keystored = ["ipc.core", "crypto.sign", "policy.delegate"]
selftest-client = ["ipc.core", "audit.read"]
logd = ["policy.delegate"]
`,
  },
]);

interface Boot {
  readonly kernel: Kernel;
  readonly policyd: PolicydHandle;
  readonly lines: string[];
  /** A client task holding a route to policyd. */
  client(name: string): { task: Task; ask: (frame: Uint8Array) => Promise<Uint8Array> };
}

function boot(options: { checkpointEvery?: number; uartBudget?: number; logTimeoutMs?: number; logRetryMs?: number } = {}): Boot {
  const kernel = new Kernel();
  const lines: string[] = [];
  const policyd = startPolicyd(kernel, { policy, console: { write: (line) => lines.push(line) }, ...options });
  const clients = new Map<string, ReturnType<Boot['client']>>();
  return {
    kernel,
    policyd,
    lines,
    client(name) {
      let client = clients.get(name);
      if (client === undefined) {
        const task = kernel.spawn(name);
        const route = kernel.grant(policyd.endpoint, task);
        client = { task, ask: async (frame) => (await task.call(route, frame, { timeoutMs: 1000 })).frame };
        clients.set(name, client);
      }
      return client;
    },
  };
}

/** The status byte of a PO reply (after the nonce on v2/v3; before a VERSION label). */
function status(reply: Uint8Array): number {
  const r = new FrameReader(reply);
  r.bytes(2);
  const version = r.u8();
  r.u8();
  if (version !== 1) r.u32();
  return r.u8();
}

/** A stand-in logd, connected to policyd, that answers every LO APPEND with `answer` and keeps what it was sent. */
function fakeLogd(b: Boot, answer: LogStatus): { task: Task; received: Uint8Array[] } {
  const kernel = b.kernel;
  const task = kernel.spawn('logd');
  const ep = kernel.createEndpoint(task, { maxFrame: LO_MAX_BLOCK_FRAME });
  const received: Uint8Array[] = [];
  task.serve(ep.recv, (msg) => {
    const req = decodeLogRequest(msg.frame);
    if (req.ok && req.request.op === 4) {
      // Like logd: an OK block is stored whole, a refused one not at all.
      const ok = answer === LO_STATUS.OK;
      received.push(...req.request.records);
      const stored = ok ? req.request.records.length : 0;
      return encodeLogReply({ version: 2, nonce: req.request.nonce, op: 4, status: answer, stored, firstId: ok ? 1n : 0n, dropped: 0n });
    }
    if (!req.ok || req.request.op !== 1 || req.request.version !== 2) return undefined;
    received.push(req.request.fields);
    return encodeLogReply({ version: 2, nonce: req.request.nonce, op: 1, status: answer, recordId: 1n, dropped: 0n });
  });
  b.policyd.connectLogd(kernel.grant(ep.send, b.policyd.task));
  return { task, received };
}

const MIXED: { sender: string; frame: Uint8Array; status: number }[] = [
  { sender: 'keystored', frame: encodePolicyRequest({ version: 1, op: 1, name: 'keystored' }), status: PO_STATUS.ALLOW },
  { sender: 'selftest-client', frame: encodePolicyRequest({ version: 1, op: 4, subjectId: 1n, cap: 'crypto.sign' }), status: PO_STATUS.DENY },
  { sender: 'keystored', frame: encodePolicyRequest({ version: 2, op: 5, nonce: 8, subjectId: 2n, cap: 'crypto.sign' }), status: PO_STATUS.DENY },
  { sender: 'selftest-client', frame: Uint8Array.of(0x50, 0x4f, 1), status: PO_STATUS.MALFORMED },
  { sender: 'selftest-client', frame: Uint8Array.of(0x50, 0x4f, 9, 1), status: PO_STATUS.UNSUPPORTED },
  { sender: 'keystored', frame: new Uint8Array(600), status: PO_STATUS.TOO_LARGE },
  { sender: 'selftest-client', frame: encodePolicyRequest({ version: 2, op: 7, nonce: 3 }), status: PO_STATUS.ALLOW },
];

/** The audit records printed on the console (after the ready line), in chain (seq) order. */
function consoleRecords(b: Boot): AuditRecord[] {
  // The sink writes a sink-switch line before the record whose failure caused it, though it is chained after.
  return b.lines.slice(1).map(parseRecordLine).sort((x, y) => (x.seq < y.seq ? -1 : 1));
}

async function runMixed(b: Boot, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const m of MIXED) expect(status(await b.client(m.sender).ask(m.frame))).toBe(m.status);
  }
}

describe(startPolicyd, () => {
  test('boots on the shipped recipes/policy: ready line, and bundlemgrd may not route to execd', async () => {
    const kernel = new Kernel();
    const lines: string[] = [];
    const policyd = startPolicyd(kernel, { policyDir: RECIPES, console: { write: (l) => lines.push(l) } });
    expect(lines).toEqual([`policyd: ready (ver=${policyd.version.slice(7, 15)})`]);
    const init = kernel.spawn('init-lite');
    const route = kernel.grant(policyd.endpoint, init);
    const ask = async (req: PolicyRequest): Promise<number | undefined> => status((await init.call(route, encodePolicyRequest(req))).frame);
    const bundlemgrd = 0x4dac7c5bc8db33ebn;
    const execd = 0x7b6096126000c028n;
    const selftest = 0x52c6c4a34ffb3f69n;
    expect(await ask({ version: 3, op: 2, nonce: 1, requesterId: bundlemgrd, targetId: execd })).toBe(PO_STATUS.DENY);
    expect(await ask({ version: 3, op: 2, nonce: 2, requesterId: selftest, targetId: execd })).toBe(PO_STATUS.ALLOW);
    expect(policyd.auditStats().decisions).toBe(2n);
  });

  test('a policy that fails to compile throws PolicyError with file:line and spawns nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policyd-'));
    writeFileSync(join(dir, 'bad.toml'), '[allow]\nkeystored = ["ipc.core"]\nexecd = ["*"]\n');
    const kernel = new Kernel();
    const lines: string[] = [];
    let error: unknown;
    try {
      startPolicyd(kernel, { policyDir: dir, console: { write: (l) => lines.push(l) } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect(error).toMatchObject({ file: 'bad.toml', line: 3 });
    expect(String((error as Error).message)).toMatch(/^bad\.toml:3:\d+: BAD_PATTERN/);
    expect(lines).toEqual([]);
    expect(() => kernel.spawn('policyd')).not.toThrow();
  });

  describe('options', () => {
    const cases: { name: string; options: object }[] = [
      { name: 'neither policy nor policyDir', options: {} },
      { name: 'both policy and policyDir', options: { policy, policyDir: RECIPES } },
      { name: 'maxFrame 512 (oversized frames must reach policyd)', options: { policy, maxFrame: 512 } },
      { name: 'checkpointEvery 0', options: { policy, checkpointEvery: 0 } },
      { name: 'maxFrame above the kernel bound', options: { policy, maxFrame: 2 * 1024 * 1024 + 1 } },
      { name: 'queueDepth 0', options: { policy, queueDepth: 0 } },
      { name: 'logRetryMs negative', options: { policy, logRetryMs: -1 } },
    ];
    for (const c of cases) {
      test(`test_reject_${c.name}`, () => {
        const kernel = new Kernel();
        expect(() => startPolicyd(kernel, { console: { write: () => {} }, ...c.options })).toThrow(PolicydError);
        expect(() => kernel.spawn('policyd')).not.toThrow();
      });
    }
  });

  test('test_reject_oversized_policy_query: 513 bytes is answered TOO_LARGE, above maxFrame the kernel refuses', async () => {
    const b = boot();
    const { ask } = b.client('keystored');
    expect(status(await ask(new Uint8Array(513)))).toBe(PO_STATUS.TOO_LARGE);
    const refused = ask(new Uint8Array(4097));
    await expect(refused).rejects.toBeInstanceOf(IpcError);
    await expect(refused).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    expect(b.policyd.auditStats().decisions).toBe(1n);
  });

  test('test_audit_all_decisions: N mixed requests through logd give N chained decision records', async () => {
    const b = boot({ checkpointEvery: 5 });
    const logd = startLogd(b.kernel, { auditWriter: b.policyd.task.serviceId });
    logd.connectPolicyd(b.kernel.grant(b.policyd.endpoint, logd.task));
    b.policyd.connectLogd(b.kernel.grant(logd.auditEndpoint, b.policyd.task));
    await runMixed(b, 3);
    await b.policyd.flush();
    const n = MIXED.length * 3;
    expect(b.policyd.auditStats()).toMatchObject({ decisions: BigInt(n), recordedDecisions: BigInt(n), toPrimary: BigInt(n), lost: 0n, toUart: 0n });
    expect(logd.stats().audit.count).toBe(n);

    const checkpoint = b.policyd.checkpoint();
    expect(checkpoint.seq).toBe(BigInt(n));
    // Read back through logd as a holder of audit.read; those reads are decisions too, chained after.
    const records = await readAudit(b, logd.endpoint);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => BigInt(i + 1)));
    expect(records.length).toBeGreaterThanOrEqual(n);
    expect(verifyChain(records.slice(0, n), checkpoint)).toMatchObject({ ok: true, lastSeq: BigInt(n) });
    expect(verifyChain(records)).toMatchObject({ ok: true });
    const decisions = records.slice(0, n);
    expect(decisions.every((r) => r.kind === 'decision')).toBe(true);
    expect(decisions.slice(0, MIXED.length).map((r) => r.reason)).toEqual([
      'policy-allow', 'identity-mismatch', 'no-rule', 'malformed', 'unsupported', 'too-large', 'policy-allow',
    ]);
    expect(decisions[2]).toMatchObject({ op: 'check_cap_delegated', nonce: 8n, subjectId: 2n, claimedId: 2n, senderId: 0x866cecf1b02a841bn });
    expect(decisions.every((r) => r.policyVersion === policy.version)).toBe(true);
    expect(b.policyd.checkpoints().map((c) => c.seq)).toEqual([5n, 10n, 15n, 20n]);
  });

  test('logd down: records reach the console as full lines and replies are unchanged', async () => {
    const b = boot();
    await runMixed(b, 1);
    const records = consoleRecords(b);
    expect(records.filter((r) => r.kind === 'sink-switch')).toMatchObject([{ sink: 'uart' }]);
    expect(records.filter((r) => r.kind === 'decision')).toHaveLength(MIXED.length);
    expect(verifyChain(records, b.policyd.checkpoint())).toMatchObject({ ok: true });
  });

  test('logd killed after boot: the failed delivery is re-routed to the console, later records go there at once', async () => {
    const b = boot();
    const fake = fakeLogd(b, LO_STATUS.OK);
    await runMixed(b, 1);
    await b.policyd.flush();
    expect(fake.received.map((bytes) => decodeRecord(bytes).kind)).toEqual(MIXED.map(() => 'decision'));
    b.kernel.kill(fake.task);
    await runMixed(b, 2);
    await b.policyd.flush();
    expect(b.policyd.auditStats()).toMatchObject({ decisions: BigInt(3 * MIXED.length), recordedDecisions: BigInt(3 * MIXED.length), lost: 0n });
    const console = consoleRecords(b);
    expect(console.filter((r) => r.kind === 'decision')).toHaveLength(2 * MIXED.length);
    expect(console.filter((r) => r.kind === 'sink-switch')).toHaveLength(1);
  });

  test('a logd that answers non-OK makes the sink re-route every record to the console', async () => {
    const b = boot();
    const fake = fakeLogd(b, LO_STATUS.DENIED);
    await runMixed(b, 1);
    await b.policyd.flush();
    expect(fake.received.length).toBeGreaterThan(0);
    expect(b.policyd.auditStats()).toMatchObject({ toPrimary: 0n, lost: 0n, recordedDecisions: BigInt(MIXED.length) });
    expect(consoleRecords(b).filter((r) => r.kind === 'decision')).toHaveLength(MIXED.length);
  });
});

describe('test_hung_logd_never_allows_unrecorded', () => {
  test('a muted logd: every ALLOW answered has its record on the console, the rest are DENY and declared', async () => {
    const b = boot({ uartBudget: 4, logTimeoutMs: 20 });
    const logd = startLogd(b.kernel, { auditWriter: b.policyd.task.serviceId });
    b.policyd.connectLogd(b.kernel.grant(logd.auditEndpoint, b.policyd.task));
    const { task, ask } = b.client('selftest-client');
    const frame = encodePolicyRequest({ version: 1, op: 4, subjectId: task.serviceId, cap: 'ipc.core' });
    b.kernel.faults.mute(logd.task); // logd hangs: no reply, no crash
    const answers: number[] = [];
    for (let i = 0; i < 20; i++) answers.push(status(await ask(frame)));
    await b.policyd.flush();
    const allowed = answers.filter((a) => a === PO_STATUS.ALLOW).length;
    expect(allowed).toBeGreaterThan(0);
    expect(answers.every((a) => a === PO_STATUS.ALLOW || a === PO_STATUS.DENY)).toBe(true);
    const stats = b.policyd.auditStats();
    // Every decision answered ALLOW is recorded; only decisions answered DENY are lost (a DENY for an
    // allow past the subject's share of the console is recorded as such, audit-unavailable).
    expect(stats).toMatchObject({ decisions: 20n, sink: 'uart' });
    expect(stats.recordedDecisions + stats.lostDecisions).toBe(20n);
    expect(stats.lostDecisions).toBeLessThanOrEqual(BigInt(20 - allowed));
    const console = consoleRecords(b);
    expect(console.filter((r) => r.kind === 'decision' && r.decision === 'allow')).toHaveLength(allowed);

    // A second round while logd stays muted: no APPEND waits on it any more, nothing is allowed unrecorded.
    const more: number[] = [];
    for (let i = 0; i < 5; i++) more.push(status(await ask(frame)));
    await b.policyd.flush();
    const after = b.policyd.auditStats();
    expect(consoleRecords(b).filter((r) => r.kind === 'decision' && r.decision === 'allow')).toHaveLength(allowed + more.filter((a) => a === PO_STATUS.ALLOW).length);
    expect(after.recordedDecisions + after.lostDecisions).toBe(25n);

    // logd restarted and reconnected: the loss is declared to it, and allows flow again.
    b.kernel.kill(logd.task);
    const fresh = startLogd(b.kernel, { auditWriter: b.policyd.task.serviceId });
    fresh.connectPolicyd(b.kernel.grant(b.policyd.endpoint, fresh.task));
    b.policyd.connectLogd(b.kernel.grant(fresh.auditEndpoint, b.policyd.task));
    expect(status(await ask(frame))).toBe(PO_STATUS.ALLOW);
    await b.policyd.flush();
    const end = b.policyd.auditStats();
    expect(end).toMatchObject({ sink: 'primary', undeclared: 0n });
    expect(end.recordedDecisions + end.lostDecisions).toBe(end.decisions);
    const journal = await readAudit(b, fresh.endpoint);
    expect(journal.filter((r) => r.kind === 'sink-switch').map((r) => r.sink)).toEqual(['primary']);
    const declared = journal.filter((r) => r.kind === 'audit-lost').reduce((n, r) => n + (r.lost?.decisions ?? 0n), 0n);
    expect(declared).toBe(end.lostDecisions);
  });
});

async function readAudit(b: Boot, logdEndpoint: SendCap): Promise<AuditRecord[]> {
  const reader = b.client('selftest-client').task;
  const route = b.kernel.grant(logdEndpoint, reader);
  const log = new LogClient(async (frame, timeoutMs) => (await reader.call(route, frame, { timeoutMs })).frame);
  const out: AuditRecord[] = [];
  let cursor = 0n;
  do {
    const page = await log.query({ journal: LO_JOURNAL.AUDIT, cursor, maxCount: 8 });
    expect(page.status).toBe('ok');
    out.push(...page.records.map(decodeRecord));
    cursor = page.nextCursor;
  } while (cursor !== 0n);
  return out;
}
