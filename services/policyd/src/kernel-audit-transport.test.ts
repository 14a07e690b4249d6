import { AuditChain, type AuditInput, type SealedRecord } from '@nexus/audit';
import { Kernel, type SendCap, type Task } from '@nexus/ipc';
import { decodeLogRequest, encodeLogReply, LO_STATUS, type LogStatus } from '@nexus/proto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { KernelAuditTransport } from './kernel-audit-transport.js';

const INPUT: AuditInput = {
  timestampNs: 1n, subjectId: 1n, senderId: 1n, op: 'check', action: 'ipc.core',
  decision: 'allow', reason: 'policy-allow', policyVersion: `sha256:${'0'.repeat(64)}`,
};

interface Rig {
  readonly kernel: Kernel;
  readonly policyd: Task;
  readonly logd: Task;
  readonly toLogd: SendCap;
  /** What the stand-in logd answers next (shifted per APPEND; OK when empty). */
  readonly answers: LogStatus[];
  next(): SealedRecord;
}

function rig(): Rig {
  const kernel = new Kernel();
  const policyd = kernel.spawn('policyd');
  const logd = kernel.spawn('logd');
  const ep = kernel.createEndpoint(logd, { maxFrame: 4096 });
  const answers: LogStatus[] = [];
  logd.serve(ep.recv, (msg) => {
    const req = decodeLogRequest(msg.frame);
    if (!req.ok || req.request.op !== 1 || req.request.version !== 2) return undefined;
    return encodeLogReply({ version: 2, nonce: req.request.nonce, op: 1, status: answers.shift() ?? LO_STATUS.OK, recordId: 1n, dropped: 0n });
  });
  const chain = new AuditChain({ policyVersion: INPUT.policyVersion });
  return { kernel, policyd, logd, toLogd: kernel.grant(ep.send, policyd), answers, next: () => chain.appendSealed(INPUT) };
}

function offer(t: KernelAuditTransport, s: SealedRecord): Promise<boolean> | false {
  return t.offer(s.record, s.encoded);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe(KernelAuditTransport, () => {
  test('test_reject_offer_before_connect: not ready, and offer answers false at once', () => {
    const r = rig();
    const t = new KernelAuditTransport(r.policyd);
    expect(t.ready()).toBe(false);
    expect(offer(t, r.next())).toBe(false);
  });

  test('a failed APPEND makes it not ready; a later success (the sink\'s probe) makes it ready again', async () => {
    const r = rig();
    const t = new KernelAuditTransport(r.policyd);
    t.connect(r.toLogd);
    expect(t.ready()).toBe(true);
    r.answers.push(LO_STATUS.DENIED);
    expect(await offer(t, r.next())).toBe(false);
    expect(t.ready()).toBe(false);
    const probe = offer(t, r.next());
    expect(probe).not.toBe(false);
    expect(await probe).toBe(true);
    expect(t.ready()).toBe(true);
  });

  test('a timed-out APPEND makes it not ready until connect hands it a new channel', async () => {
    const r = rig();
    const t = new KernelAuditTransport(r.policyd, { timeoutMs: 20 });
    t.connect(r.toLogd);
    r.kernel.faults.mute(r.logd);
    expect(await offer(t, r.next())).toBe(false);
    expect(t.ready()).toBe(false);
    t.connect(r.toLogd);
    expect(t.ready()).toBe(true);
  });

  test('test_reject_overdue_append: while an APPEND is older than its timeout, ready() and offer() refuse', async () => {
    const r = rig();
    const t = new KernelAuditTransport(r.policyd, { timeoutMs: 20 });
    t.connect(r.toLogd);
    r.kernel.faults.mute(r.logd);
    const start = performance.now();
    const pending = offer(t, r.next());
    expect(t.ready()).toBe(true);
    // The timeout's timer has not run yet, but the call is already older than it.
    vi.spyOn(performance, 'now').mockReturnValue(start + 1000);
    expect(t.ready()).toBe(false);
    expect(offer(t, r.next())).toBe(false);
    vi.restoreAllMocks();
    expect(await pending).toBe(false);
  });
});
