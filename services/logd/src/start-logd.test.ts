import { AUDIT_LIMITS, AuditChain, decodeRecord, type AuditInput } from '@nexus/audit';
import { FrameWriter, Kernel, type SendCap, type Task } from '@nexus/ipc';
import {
  LO_JOURNAL,
  LO_MAX_FRAME,
  LO_MAX_REPLY,
  LO_OP,
  LO_STATUS,
  LO_ZERO_STATS,
  LogClient,
  decodeLogRecord,
  decodeLogReply,
  encodeLogRequest,
  type LogQueryOptions,
  type LogReply,
  type LogRequest,
} from '@nexus/proto';
import { startFakePolicyd } from '@nexus/test-support';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LogdError } from './logd-error.js';
import type { LogdOptions } from './logd-options.js';
import { startLogd, type LogdHandle } from './start-logd.js';

const POLICY_VERSION = `sha256:${'ab'.repeat(32)}`;
const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type Mode = 'policy' | 'garbage' | 'silent';

interface Rig {
  kernel: Kernel;
  logd: LogdHandle;
  policyd: Task;
  /** policyd's send right to logd (policyd is the audit writer). */
  policydToLogd: SendCap;
  app: Task;
  appToLogd: SendCap;
  chain: AuditChain;
  /** `${subjectId}:${cap}` pairs the fake policyd allows. */
  grants: Set<string>;
  mode: Mode;
  /** When set, the fake policyd sends logd the audit record of each decision before replying. */
  appendFirst: boolean;
  /** With `appendFirst`: call (and wait for logd's reply) instead of a one-way send. */
  appendByCall: boolean;
}

function decision(subjectId: bigint, overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    timestampNs: 1n,
    subjectId,
    senderId: subjectId,
    op: 'check_cap_delegated',
    action: 'audit.read',
    decision: 'allow',
    reason: 'policy-allow',
    policyVersion: POLICY_VERSION,
    ...overrides,
  };
}

function auditAppend(fields: Uint8Array, version: 1 | 2 = 2): Uint8Array {
  const body = { level: 2, scope: 'policyd.audit', msg: '', fields } as const;
  return encodeLogRequest(version === 1 ? { version, op: 1, ...body } : { version, op: 1, nonce: 1n, ...body });
}

/** A kernel with logd, a scriptable policyd-like task (the audit writer) and an ordinary client. */
function boot(options: Partial<LogdOptions> = {}): Rig {
  const kernel = new Kernel();
  const fake = startFakePolicyd(kernel, async (req) => {
    if (rig.mode !== 'policy') return rig.mode;
    if (req.version !== 2 || req.op !== 5) throw new Error('unexpected request');
    const { subjectId, cap } = req;
    const allow = rig.grants.has(`${subjectId}:${cap}`);
    if (rig.appendFirst) {
      const { encoded } = rig.chain.appendSealed(decision(subjectId, { action: cap, decision: allow ? 'allow' : 'deny' }));
      if (rig.appendByCall) await policyd.call(rig.policydToLogd, auditAppend(encoded), { timeoutMs: 2000 });
      else policyd.send(rig.policydToLogd, auditAppend(encoded));
    }
    return allow ? 'allow' : 'deny';
  });
  const policyd = fake.task;
  const logd = startLogd(kernel, { auditWriter: policyd.serviceId, ...options });
  logd.connectPolicyd(kernel.grant(fake.endpoint, logd.task));
  const app = kernel.spawn('app');
  const rig: Rig = {
    kernel,
    logd,
    policyd,
    policydToLogd: kernel.grant(logd.auditEndpoint, policyd),
    app,
    appToLogd: kernel.grant(logd.endpoint, app),
    chain: new AuditChain({ policyVersion: POLICY_VERSION }),
    grants: new Set(),
    mode: 'policy',
    appendFirst: false,
    appendByCall: false,
  };
  return rig;
}

function clientOf(task: Task, route: SendCap): LogClient {
  return new LogClient(async (frame, timeoutMs) => (await task.call(route, frame, { timeoutMs })).frame, { timeoutMs: 2000 });
}

async function rawCall(task: Task, route: SendCap, frame: Uint8Array): Promise<Uint8Array> {
  return (await task.call(route, frame, { timeoutMs: 2000 })).frame;
}

async function request(task: Task, route: SendCap, req: LogRequest): Promise<LogReply> {
  const frame = await rawCall(task, route, encodeLogRequest(req));
  return decodeLogReply(frame, { version: req.version, op: req.op, ...(req.version === 2 ? { nonce: req.nonce } : {}) });
}

/** policyd appends `n` sealed audit records and waits for each reply. */
async function appendAudit(rig: Rig, inputs: readonly AuditInput[]): Promise<void> {
  for (const input of inputs) {
    const reply = await request(rig.policyd, rig.policydToLogd, decodeAppend(rig.chain.appendSealed(input).encoded));
    expect(reply.status).toBe(LO_STATUS.OK);
  }
}

function decodeAppend(fields: Uint8Array): LogRequest {
  return { version: 2, op: 1, nonce: 3n, level: 2, scope: 'policyd.audit', msg: '', fields };
}

async function readAll(client: LogClient, options: LogQueryOptions): Promise<{ records: Uint8Array[]; pages: number }> {
  const records: Uint8Array[] = [];
  let cursor = 0n;
  let pages = 0;
  do {
    const page = await client.query({ ...options, cursor });
    expect(page.status).toBe('ok');
    records.push(...page.records);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== 0n && pages < 1000);
  return { records, pages };
}

describe(startLogd, () => {
  test('a general APPEND is stamped with the kernel sender id', async () => {
    const rig = boot();
    rig.grants.add(`${rig.app.serviceId}:log.read`);
    const log = clientOf(rig.app, rig.appToLogd);
    expect(await log.append({ level: 2, scope: 'app', msg: 'hello', fields: enc('port=80') })).toEqual({
      status: 'ok',
      recordId: 1n,
      dropped: 0n,
    });
    const page = await log.query({ journal: LO_JOURNAL.GENERAL });
    expect(page.records.map(decodeLogRecord)).toEqual([
      expect.objectContaining({ recordId: 1n, serviceId: rig.app.serviceId, scope: 'app', msg: 'hello', fields: enc('port=80') }),
    ]);
  });

  describe('test_reject_forged_service_id', () => {
    test.each([1, 2] as const)('an audit APPEND v%i from a task that is not the audit writer is DENIED and counted', async (v) => {
      const rig = boot();
      const { encoded } = rig.chain.appendSealed(decision(rig.app.serviceId));
      const frame = await rawCall(rig.app, rig.appToLogd, auditAppend(encoded, v));
      const reply = decodeLogReply(frame, { version: v, op: LO_OP.APPEND, ...(v === 2 ? { nonce: 1n } : {}) });
      expect(reply.status).toBe(LO_STATUS.DENIED);
      expect(rig.logd.stats().rejectedForged).toBe(1n);
      expect(rig.logd.stats().audit.total).toBe(0n);
    });

    test.each([
      ['fields service=', 'app', 'x', 'service=policyd'],
      ['fields sender_id=', 'app', 'x', 'sender_id=0xc4b6d847aa573fa1'],
      ['fields subject:', 'app', 'x', 'subject: keystored'],
      ['a policyd.audit scope variant', 'POLICYD.AUDIT', 'x', ''],
      ['an audit text line', 'app', 'audit v1 op=check decision=allow subject=0x0000000000000001 reason=policy', ''],
    ])('a general APPEND claiming another identity by %s is DENIED and counted', async (_name, scope, msg, fields) => {
      const rig = boot();
      const reply = await clientOf(rig.app, rig.appToLogd).append({ level: 2, scope, msg, fields: enc(fields) });
      expect(reply.status).toBe('denied');
      rig.grants.add(`${rig.app.serviceId}:log.read`);
      const stats = await clientOf(rig.app, rig.appToLogd).stats();
      expect(stats).toEqual({ status: 'ok', stats: expect.objectContaining({ rejectedForged: 1n }) });
      expect(rig.logd.stats().general.total).toBe(0n);
    });

    test('the audit writer itself cannot claim another identity in the general journal', async () => {
      const rig = boot();
      const reply = await clientOf(rig.policyd, rig.policydToLogd).append({ level: 2, scope: 'x', msg: 'm', fields: enc('service=keystored') });
      expect(reply.status).toBe('denied');
    });
  });

  test('test_reject_malformed_audit_record: the writer APPENDing fields that are no audit record gets MALFORMED, counted', async () => {
    const rig = boot();
    const reply = await request(rig.policyd, rig.policydToLogd, decodeAppend(enc('audit v1 op=check')));
    expect(reply.status).toBe(LO_STATUS.MALFORMED);
    expect(rig.logd.stats()).toMatchObject({ auditMalformed: 1n, rejectedForged: 0n, audit: { total: 0n } });
  });

  test('audit records are stored byte for byte as appended', async () => {
    const rig = boot();
    rig.grants.add(`${rig.app.serviceId}:audit.read`);
    const sealed = rig.chain.appendSealed(decision(7n, { target: 'execd', decision: 'deny', reason: 'deny-rule' }));
    await request(rig.policyd, rig.policydToLogd, decodeAppend(sealed.encoded));
    const page = await clientOf(rig.app, rig.appToLogd).query({ journal: LO_JOURNAL.AUDIT });
    expect(page.records).toEqual([sealed.encoded]);
    expect(decodeRecord(page.records[0]!)).toEqual(sealed.record);
  });

  test('a replayed audit record is stored and counted, never dropped', async () => {
    const rig = boot();
    const { encoded } = rig.chain.appendSealed(decision(1n));
    await request(rig.policyd, rig.policydToLogd, decodeAppend(encoded));
    await request(rig.policyd, rig.policydToLogd, decodeAppend(encoded));
    expect(rig.logd.stats()).toMatchObject({ auditSeqRegressions: 1n, audit: { total: 2n, count: 2 } });
  });

  test('a general flood of 10x its bound never evicts an audit record', async () => {
    const rig = boot({ general: { maxRecords: 16 } });
    rig.grants.add(`${rig.app.serviceId}:audit.read`);
    await appendAudit(rig, [1n, 2n, 3n, 4n, 5n].map((s) => decision(s)));
    const log = clientOf(rig.app, rig.appToLogd);
    for (let i = 0; i < 160; i++) expect((await log.append({ level: 3, scope: 'chatty', msg: `line ${i}` })).status).toBe('ok');
    expect(rig.logd.stats().general).toEqual({ total: 160n, dropped: 144n, highWater: 16, count: 16, bytes: rig.logd.stats().general.bytes });
    const audit = await log.query({ journal: LO_JOURNAL.AUDIT });
    expect(audit.records.map((r) => decodeRecord(r).seq)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(rig.logd.stats().audit).toMatchObject({ total: 5n, dropped: 0n, count: 5 });
  });

  test('drop-oldest: counters are exact and logging never stops (no lifetime cap)', async () => {
    const rig = boot({ audit: { maxRecords: 8 } });
    await appendAudit(rig, Array.from({ length: 100 }, (_, i) => decision(BigInt(i))));
    const sizes = rig.chain.appendSealed(decision(0n)).encoded.byteLength;
    expect(rig.logd.stats().audit).toEqual({ total: 100n, dropped: 92n, highWater: 8, count: 8, bytes: 8 * sizes });
    const reply = await request(rig.policyd, rig.policydToLogd, decodeAppend(rig.chain.appendSealed(decision(9n)).encoded));
    expect(reply).toMatchObject({ status: LO_STATUS.OK, recordId: 101n, dropped: 93n });
  });

  test('the byte bound evicts too, and the records held stay within it', async () => {
    const rig = boot({ general: { maxRecords: 1000, maxBytes: 4096 } });
    const log = clientOf(rig.app, rig.appToLogd);
    for (let i = 0; i < 50; i++) await log.append({ level: 2, scope: 's', msg: 'm', fields: new Uint8Array(300) });
    const { general } = rig.logd.stats();
    expect(general.bytes).toBeLessThanOrEqual(4096);
    expect(general.total - general.dropped).toBe(BigInt(general.count));
    expect(general.count).toBe(Math.floor(4096 / general.bytes * general.count));
  });

  describe('QUERY is decided by policyd (fail closed)', () => {
    test.each([
      ['policyd allows audit.read', 'policy', true, 'ok'],
      ['policyd denies', 'policy', false, 'denied'],
      ['policyd answers garbage', 'garbage', true, 'denied'],
      ['policyd never answers (timeout)', 'silent', true, 'denied'],
    ] as const)('%s', async (_name, mode, granted, expected) => {
      const rig = boot({ policyTimeoutMs: 50 });
      rig.mode = mode;
      if (granted) rig.grants.add(`${rig.app.serviceId}:audit.read`);
      expect((await clientOf(rig.app, rig.appToLogd).query({ journal: LO_JOURNAL.AUDIT })).status).toBe(expected);
      expect(rig.logd.stats().queriesDenied).toBe(expected === 'ok' ? 0n : 1n);
    });

    test('audit.read does not open the general journal, nor log.read the audit one', async () => {
      const rig = boot();
      rig.grants.add(`${rig.app.serviceId}:audit.read`);
      const log = clientOf(rig.app, rig.appToLogd);
      expect((await log.query({ journal: LO_JOURNAL.GENERAL })).status).toBe('denied');
      rig.grants.clear();
      rig.grants.add(`${rig.app.serviceId}:log.read`);
      expect((await log.query({ journal: LO_JOURNAL.AUDIT })).status).toBe('denied');
      expect((await log.query({ journal: LO_JOURNAL.GENERAL })).status).toBe('ok');
    });

    test('not connected to policyd: every QUERY is DENIED', async () => {
      const kernel = new Kernel();
      const logd = startLogd(kernel, { auditWriter: 1n });
      const app = kernel.spawn('app');
      const reply = await request(app, kernel.grant(logd.endpoint, app), { version: 1, op: 2, sinceNsec: 0n, maxCount: 5 });
      expect(reply.status).toBe(LO_STATUS.DENIED);
    });

    test('no deadlock: policyd appends the decision to logd before answering the QUERY', async () => {
      const rig = boot();
      rig.appendFirst = true;
      rig.grants.add(`${rig.app.serviceId}:audit.read`);
      const log = clientOf(rig.app, rig.appToLogd);
      expect((await log.query({ journal: LO_JOURNAL.AUDIT })).status).toBe('ok');
      await flush();
      expect(rig.logd.stats().audit.count).toBe(1);
      // The audit APPEND has its own endpoint, so it no longer queues behind the QUERY that caused
      // it: the second QUERY already sees its own decision.
      const second = await log.query({ journal: LO_JOURNAL.AUDIT });
      expect(second.records.map((r) => decodeRecord(r).seq)).toEqual([1n, 2n]);
      await flush();
      expect(rig.logd.stats().audit.count).toBe(2);
    });

    test('a policyd that waits for its APPEND no longer stalls a QUERY: the audit endpoint answers it meanwhile', async () => {
      const rig = boot({ policyTimeoutMs: 50 });
      rig.appendFirst = true;
      rig.appendByCall = true;
      rig.grants.add(`${rig.app.serviceId}:audit.read`);
      const log = clientOf(rig.app, rig.appToLogd);
      expect((await log.query({ journal: LO_JOURNAL.AUDIT })).status).toBe('ok');
      await flush();
      expect(rig.logd.stats().audit.count).toBe(1);
      rig.appendByCall = false;
      expect((await log.query({ journal: LO_JOURNAL.AUDIT })).status).toBe('ok');
    });
  });

  describe('STATS is decided by policyd like a general QUERY (log.read, fail closed)', () => {
    test.each([
      ['policyd allows log.read', 'policy', 'log.read', 'ok'],
      ['test_reject_stats_without_log_read: policyd denies', 'policy', undefined, 'denied'],
      ['test_reject_stats_with_audit_read_only', 'policy', 'audit.read', 'denied'],
      ['test_reject_stats_on_garbage_verdict', 'garbage', 'log.read', 'denied'],
      ['test_reject_stats_on_policyd_timeout', 'silent', 'log.read', 'denied'],
    ] as const)('%s', async (_name, mode, grant, expected) => {
      const rig = boot({ policyTimeoutMs: 50 });
      rig.mode = mode;
      if (grant !== undefined) rig.grants.add(`${rig.app.serviceId}:${grant}`);
      const stats = await clientOf(rig.app, rig.appToLogd).stats();
      expect(stats.status).toBe(expected);
      expect(rig.logd.stats().queriesDenied).toBe(expected === 'ok' ? 0n : 1n);
    });

    test.each([1, 2] as const)('test_reject_stats_not_connected: v%i STATS is DENIED with zero counters', async (version) => {
      const kernel = new Kernel();
      const logd = startLogd(kernel, { auditWriter: 1n });
      const app = kernel.spawn('app');
      const reply = await request(app, kernel.grant(logd.endpoint, app), version === 1 ? { version, op: 3 } : { version, op: 3, nonce: 4n });
      expect(reply).toMatchObject({ op: 3, status: LO_STATUS.DENIED, stats: LO_ZERO_STATS });
      expect(logd.stats().queriesDenied).toBe(1n);
    });
  });

  describe('filters and paging', () => {
    const inputs = Array.from({ length: 120 }, (_, i) =>
      decision(BigInt(i % 3) + 1n, {
        decision: i % 2 === 0 ? 'allow' : 'deny',
        reason: i % 2 === 0 ? 'policy-allow' : 'no-rule',
        op: (['check', 'route', 'exec', 'check_cap'] as const)[i % 4]!,
        target: 'x'.repeat(64),
        // check-boundaries: not-a-path (a rule label in the records, never read: the tests pass without recipes/)
        rule: `recipes/policy/${'r'.repeat(100)}.toml:${i}`,
      }),
    );

    test.each([
      ['no filter', {}, () => true],
      ['subject 2', { subject: 2n }, (i: number) => i % 3 === 1],
      ['decision deny', { decision: 1 }, (i: number) => i % 2 === 1],
      ['op route', { op: AUDIT_LIMITS.ops.indexOf('route') }, (i: number) => i % 4 === 1],
      ['seq 10..40', { fromSeq: 10n, toSeq: 40n }, (i: number) => i >= 9 && i <= 39],
      ['subject 1 and allow', { subject: 1n, decision: 0 }, (i: number) => i % 3 === 0 && i % 2 === 0],
    ] as const)('audit journal, %s, pages of 7 never exceed the reply bound', async (_name, filter, keep) => {
      const rig = boot();
      rig.grants.add(`${rig.app.serviceId}:audit.read`);
      await appendAudit(rig, inputs);
      const frames: number[] = [];
      const log = new LogClient(async (frame, timeoutMs) => {
        const reply = (await rig.app.call(rig.appToLogd, frame, { timeoutMs })).frame;
        frames.push(reply.byteLength);
        return reply;
      });
      const { records } = await readAll(log, { journal: LO_JOURNAL.AUDIT, maxCount: 7, ...filter });
      const expected = inputs.map((_, i) => BigInt(i + 1)).filter((_, i) => keep(i));
      expect(records.map((r) => decodeRecord(r).seq)).toEqual(expected);
      expect(Math.max(...frames)).toBeLessThanOrEqual(LO_MAX_REPLY);
    });

    test('general journal: large records are paged by bytes, nothing lost or repeated', async () => {
      const rig = boot();
      rig.grants.add(`${rig.app.serviceId}:log.read`);
      const log = clientOf(rig.app, rig.appToLogd);
      for (let i = 0; i < 40; i++) await log.append({ level: 2, scope: 's', msg: 'm'.repeat(256), fields: new Uint8Array(512).fill(i) });
      const { records, pages } = await readAll(log, { journal: LO_JOURNAL.GENERAL, maxCount: 1000 });
      expect(records.map((r) => decodeLogRecord(r).recordId)).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i + 1)));
      // 40 records of 800+ bytes cannot share fewer than 8 replies of 4096 bytes.
      expect(pages).toBeGreaterThanOrEqual(8);
    });

    test('general journal: filter by service id and seq', async () => {
      const rig = boot();
      rig.grants.add(`${rig.app.serviceId}:log.read`);
      const app = clientOf(rig.app, rig.appToLogd);
      const other = clientOf(rig.policyd, rig.kernel.grant(rig.logd.endpoint, rig.policyd));
      for (let i = 0; i < 6; i++) await (i % 2 === 0 ? app : other).append({ level: 2, scope: 's', msg: `${i}` });
      const page = await app.query({ journal: LO_JOURNAL.GENERAL, subject: rig.policyd.serviceId, fromSeq: 3n });
      expect(page.records.map((r) => decodeLogRecord(r).msg)).toEqual(['3', '5']);
    });

    test('v1 QUERY reads the general journal from since_nsec', async () => {
      const rig = boot();
      rig.grants.add(`${rig.app.serviceId}:log.read`);
      const log = clientOf(rig.app, rig.appToLogd);
      await log.append({ level: 2, scope: 's', msg: 'early' });
      rig.kernel.clock.advance(1_000_000n);
      const since = rig.kernel.clock.now();
      await log.append({ level: 2, scope: 's', msg: 'late' });
      const reply = await request(rig.app, rig.appToLogd, { version: 1, op: 2, sinceNsec: since, maxCount: 10 });
      expect(reply.op === 2 && reply.records.map((r) => decodeLogRecord(r).msg)).toEqual(['late']);
    });

    test('test_reject_general_decision_filter: a decision or op filter on the general journal is MALFORMED', async () => {
      const rig = boot();
      rig.grants.add(`${rig.app.serviceId}:log.read`);
      expect((await clientOf(rig.app, rig.appToLogd).query({ journal: LO_JOURNAL.GENERAL, decision: 0 })).status).toBe('malformed');
    });
  });

  describe('bounds', () => {
    function append(sl: number, ml: number, fl: number): Uint8Array {
      return new FrameWriter(4096)
        .bytes(enc('LO')).u8(1).u8(1).u8(2).u8(sl).u16(ml).u16(fl)
        .bytes(new Uint8Array(sl).fill(0x61)).bytes(new Uint8Array(ml).fill(0x62)).bytes(new Uint8Array(fl))
        .finish();
    }

    test.each([
      ['test_reject_scope_65', append(65, 0, 0), LO_STATUS.TOO_LARGE],
      ['test_reject_msg_257', append(1, 257, 0), LO_STATUS.TOO_LARGE],
      ['test_reject_fields_513', append(1, 0, 513), LO_STATUS.TOO_LARGE],
      ['test_reject_frame_too_large', new Uint8Array(LO_MAX_FRAME + 1).fill(0x4c), LO_STATUS.TOO_LARGE],
      ['test_reject_trailing_bytes', Uint8Array.from([...append(1, 1, 1), 0]), LO_STATUS.MALFORMED],
      ['test_reject_truncated', append(4, 4, 4).subarray(0, 12), LO_STATUS.MALFORMED],
      ['at every bound (64/256/512) is accepted', append(64, 256, 512), LO_STATUS.OK],
    ])('%s', async (_name, frame, status) => {
      const rig = boot();
      const reply = await rawCall(rig.app, rig.appToLogd, frame);
      expect(reply[4]).toBe(status);
    });

    test('test_reject_frame_over_endpoint_bound: refused by the kernel at the sender', async () => {
      const rig = boot();
      await expect(rawCall(rig.app, rig.appToLogd, new Uint8Array(LO_MAX_REPLY + 1))).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    });

    test.each([
      ['an unknown key', { auditWriter: 1n, extra: 1 }],
      ['audit.maxRecords 0', { auditWriter: 1n, audit: { maxRecords: 0 } }],
      ['general.maxBytes below one record', { auditWriter: 1n, general: { maxBytes: 100 } }],
      ['a negative auditWriter', { auditWriter: -1n }],
      ['policyTimeoutMs 0', { auditWriter: 1n, policyTimeoutMs: 0 }],
    ])('test_reject_option: %s', (_name, options) => {
      expect(() => startLogd(new Kernel(), options as LogdOptions)).toThrow(LogdError);
    });

    test('connectPolicyd twice is refused', () => {
      const rig = boot();
      expect(() => rig.logd.connectPolicyd(rig.appToLogd)).toThrow(expect.objectContaining({ code: 'ALREADY_CONNECTED' }));
    });
  });

  test('property: random frames never crash logd and always get a well-formed LO reply', async () => {
    const rig = boot();
    rig.grants.add(`${rig.app.serviceId}:log.read`);
    const header = fc.tuple(fc.constantFrom(1, 2, 3), fc.constantFrom(1, 2, 3, 4, 0x81));
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 900 }),
      fc.tuple(header, fc.uint8Array({ maxLength: 900 })).map(([[v, op], body]) => Uint8Array.from([0x4c, 0x4f, v, op, ...body])),
    );
    await fc.assert(
      fc.asyncProperty(frames, async (frame) => {
        const reply = await rawCall(rig.app, rig.appToLogd, frame);
        expect(reply.byteLength).toBeLessThanOrEqual(LO_MAX_REPLY);
        expect([reply[0], reply[1]]).toEqual([0x4c, 0x4f]);
        const version = reply[2] as 1 | 2;
        const op = reply[3]! & 0x7f;
        expect(reply[3]! & 0x80).toBe(0x80);
        expect(reply.byteLength).toBeGreaterThanOrEqual(5);
        // Only a request naming a real op gets that op's full reply layout; anything else gets the bare status.
        if (op >= 1 && op <= 3 && frame[3] === op) {
          const nonce = version === 2 ? new DataView(reply.buffer, reply.byteOffset).getBigUint64(4, true) : undefined;
          expect(() => decodeLogReply(reply, { version, op: op as 1 | 2 | 3, ...(nonce === undefined ? {} : { nonce }) })).not.toThrow();
        }
      }),
      { numRuns: 300 },
    );
    expect(rig.logd.task.alive).toBe(true);
  });
});
