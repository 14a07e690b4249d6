import { AuditChain, type AuditInput } from '@nexus/audit';
import { Kernel, type SendCap, type Task } from '@nexus/ipc';
import { decodeLogRecord, decodeLogReply, encodeLogRequest, LO_STATUS, LogClient, LO_JOURNAL, type LogRequest } from '@nexus/proto';
import { startFakePolicyd } from '@nexus/test-support';
import { describe, expect, test } from 'vitest';
import { LOGD_SCOPE } from './logd-server.js';
import { startLogd, type LogdHandle } from './start-logd.js';

const POLICY_VERSION = `sha256:${'ab'.repeat(32)}`;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function decision(subjectId: bigint): AuditInput {
  return {
    timestampNs: 1n, subjectId, senderId: subjectId, op: 'check_cap_delegated', action: 'log.read',
    decision: 'allow', reason: 'policy-allow', policyVersion: POLICY_VERSION,
  };
}

const general = (i: number): LogRequest => ({ version: 2, op: 1, nonce: BigInt(i + 1), level: 2, scope: 'app', msg: `m${i}`, fields: new Uint8Array(0) });
const auditReq = (fields: Uint8Array): LogRequest => ({ version: 2, op: 1, nonce: 7n, level: 2, scope: 'policyd.audit', msg: '', fields });

async function call(task: Task, route: SendCap, req: LogRequest): Promise<number> {
  const frame = (await task.call(route, encodeLogRequest(req), { timeoutMs: 2000 })).frame;
  return decodeLogReply(frame, { version: 2, op: req.op, nonce: (req as { nonce: bigint }).nonce }).status;
}

interface Rig {
  readonly kernel: Kernel;
  readonly logd: LogdHandle;
  readonly policyd: Task;
  readonly app: Task;
  readonly clock: { ms: number };
  readonly chain: AuditChain;
}

function boot(options: { generalBurst?: number } = {}): Rig {
  const kernel = new Kernel();
  const fake = startFakePolicyd(kernel, () => 'allow');
  const clock = { ms: 0 };
  const logd = startLogd(kernel, { auditWriter: fake.task.serviceId, realNowMs: () => clock.ms, ...options });
  logd.connectPolicyd(kernel.grant(fake.endpoint, logd.task));
  return { kernel, logd, policyd: fake.task, app: kernel.spawn('app'), clock, chain: new AuditChain({ policyVersion: POLICY_VERSION }) };
}

describe('logd audit endpoint (issue #13)', () => {
  test('test_reject_half_share_on_audit_endpoint: policyd, its one sender, may fill the whole audit queue', async () => {
    // A default (half) per-sender share refused policyd's 33rd APPEND in flight with QUEUE_FULL, so a
    // flood of decisions from any task took the audit primary down (issue #12 eviction flood).
    const r = boot();
    const route = r.kernel.grant(r.logd.auditEndpoint, r.policyd);
    const depth = 64;
    const frames = Array.from({ length: depth }, () => encodeLogRequest(auditReq(r.chain.appendSealed(decision(r.app.serviceId)).encoded)));
    const refused = frames.filter((frame) => {
      try {
        r.policyd.send(route, frame);
        return false;
      } catch {
        return true;
      }
    });
    expect(refused).toHaveLength(0);
    for (let i = 0; i < 8; i++) await turn();
    expect(r.logd.stats().audit.count).toBe(depth);
  });

  test('test_reject_audit_append_on_general_endpoint: evidence only on the audit endpoint', async () => {
    const r = boot();
    const { encoded } = r.chain.appendSealed(decision(r.app.serviceId));
    expect(await call(r.policyd, r.kernel.grant(r.logd.endpoint, r.policyd), auditReq(encoded))).toBe(LO_STATUS.DENIED);
    expect(await call(r.policyd, r.kernel.grant(r.logd.auditEndpoint, r.policyd), auditReq(encoded))).toBe(LO_STATUS.OK);
    expect(r.logd.stats().audit.count).toBe(1);
    expect(r.logd.stats().wrongEndpoint).toBe(1n);
  });

  test.each([
    ['a general APPEND from policyd', (r: Rig): [Task, LogRequest] => [r.policyd, general(0)]],
    ['an audit-scope APPEND from another task', (r: Rig): [Task, LogRequest] => [r.app, auditReq(new Uint8Array(8))]],
    ['a STATS from policyd', (r: Rig): [Task, LogRequest] => [r.policyd, { version: 2, op: 3, nonce: 5n }]],
  ])('test_reject_on_audit_endpoint: %s is DENIED there', async (_name, make) => {
    const r = boot();
    const [task, req] = make(r);
    expect(await call(task, r.kernel.grant(r.logd.auditEndpoint, task), req)).toBe(LO_STATUS.DENIED);
    expect(r.logd.stats().wrongEndpoint).toBe(1n);
  });

  test('test_reject_general_flood_displacing_audit: one task floods general APPENDs, every audit APPEND of policyd succeeds', async () => {
    const r = boot();
    const hostile = r.kernel.grant(r.logd.endpoint, r.app);
    const audit = r.kernel.grant(r.logd.auditEndpoint, r.policyd);
    const statuses: Promise<number>[] = [];
    let sent = 0;
    for (let round = 0; round < 50; round++) {
      // Keep logd's general queue full: every one-way send the kernel accepts.
      for (let i = 0; i < 100; i++) {
        try {
          r.app.send(hostile, encodeLogRequest(general(sent)));
          sent++;
        } catch {
          break;
        }
      }
      statuses.push(call(r.policyd, audit, auditReq(r.chain.appendSealed(decision(r.app.serviceId)).encoded)));
      await turn();
    }
    expect(new Set(await Promise.all(statuses))).toEqual(new Set([LO_STATUS.OK]));
    expect(r.logd.stats().audit.count).toBe(50);
    expect(sent).toBeGreaterThan(64);
  });
});

describe('general APPEND per-sender rate limit (issue #13)', () => {
  test('test_reject_general_over_burst: suppressed, counted, announced once the interval passes in real time', async () => {
    const r = boot({ generalBurst: 4 });
    const route = r.kernel.grant(r.logd.endpoint, r.app);
    const other = r.kernel.spawn('other');
    const otherRoute = r.kernel.grant(r.logd.endpoint, other);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push(await call(r.app, route, general(i)));
    expect(statuses).toEqual([0, 0, 0, 0, 4, 4, 4, 4, 4, 4]);
    // Another sender has its own share.
    expect(await call(other, otherRoute, general(0))).toBe(LO_STATUS.OK);
    expect(r.logd.stats().suppressed).toBe(6n);
    // No virtual time passes between calls here; one interval of real time does.
    r.clock.ms += 1000;
    expect(await call(r.app, route, general(10))).toBe(LO_STATUS.OK);
    const reader = new LogClient(async (frame, timeoutMs) => (await r.app.call(route, frame, { timeoutMs })).frame, { timeoutMs: 2000 });
    const page = await reader.query({ journal: LO_JOURNAL.GENERAL, maxCount: 32 });
    expect(page.status).toBe('ok');
    const notices = page.records.map((b) => decodeLogRecord(b)).filter((rec) => rec.scope === LOGD_SCOPE);
    expect(notices.map((n) => [n.msg, n.serviceId])).toEqual([[`suppressed 6 messages from ${r.app.serviceId.toString(16).padStart(16, '0')}`, r.logd.task.serviceId]]);
    expect(r.logd.stats().general.count).toBe(4 + 1 + 1 + 1);
    // STATS carries the count on the wire too (a log.read holder may see it).
    expect(await reader.stats()).toEqual({ status: 'ok', stats: expect.objectContaining({ suppressed: 6n }) });
  });
});
