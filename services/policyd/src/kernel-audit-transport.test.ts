import { AuditChain, type AuditInput, type SealedRecord } from '@nexus/audit';
import { Kernel, type SendCap, type Task } from '@nexus/ipc';
import { decodeLogRequest, encodeLogReply, LO_MAX_BLOCK_FRAME, LO_STATUS, type LogStatus } from '@nexus/proto';
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
  /** What it answers the next APPEND_BLOCKs (shifted; the whole block stored when empty). */
  readonly blockAnswers: { status: LogStatus; stored: number; dropped?: bigint }[];
  /** The sizes of the blocks it received. */
  readonly blocks: number[];
  next(): SealedRecord;
}

function rig(): Rig {
  const kernel = new Kernel();
  const policyd = kernel.spawn('policyd');
  const logd = kernel.spawn('logd');
  const ep = kernel.createEndpoint(logd, { maxFrame: LO_MAX_BLOCK_FRAME });
  const answers: LogStatus[] = [];
  const blockAnswers: Rig['blockAnswers'] = [];
  const blocks: number[] = [];
  let nextId = 1n;
  logd.serve(ep.recv, (msg) => {
    const req = decodeLogRequest(msg.frame);
    if (req.ok && req.request.op === 4) {
      const size = req.request.records.length;
      blocks.push(size);
      const a = blockAnswers.shift() ?? { status: LO_STATUS.OK, stored: size };
      const firstId = a.stored === 0 ? 0n : nextId;
      nextId += BigInt(a.stored);
      return encodeLogReply({ version: 2, nonce: req.request.nonce, op: 4, status: a.status, stored: a.stored, firstId, dropped: a.dropped ?? 0n });
    }
    if (!req.ok || req.request.op !== 1 || req.request.version !== 2) return undefined;
    return encodeLogReply({ version: 2, nonce: req.request.nonce, op: 1, status: answers.shift() ?? LO_STATUS.OK, recordId: 1n, dropped: 0n });
  });
  const chain = new AuditChain({ policyVersion: INPUT.policyVersion });
  return { kernel, policyd, logd, toLogd: kernel.grant(ep.send, policyd), answers, blockAnswers, blocks, next: () => chain.appendSealed(INPUT) };
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

  test('offerBlock sends the block in one APPEND_BLOCK and resolves with its size; evictions map ids back to seqs', async () => {
    const r = rig();
    const t = new KernelAuditTransport(r.policyd);
    t.connect(r.toLogd);
    const block = Array.from({ length: 5 }, () => r.next());
    expect(await t.offerBlock(block)).toBe(5);
    expect(r.blocks).toEqual([5]);
    expect(t.ready()).toBe(true);
    // The next reply says logd evicted its ids 1..3: the first three records of the block.
    r.blockAnswers.push({ status: LO_STATUS.OK, stored: 1, dropped: 3n });
    expect(await t.offerBlock([r.next()])).toBe(1);
    expect(t.evictions()).toMatchObject([{ fromSeq: 1n, toSeq: 3n, decisions: 3n }]);
  });

  const cut: ReadonlyArray<[string, { status: LogStatus; stored: number }, number]> = [
    ['test_reject_block_half_stored: FULL after 2 of 4', { status: LO_STATUS.FULL, stored: 2 }, 2],
    ['test_reject_block_refused: MALFORMED, nothing stored', { status: LO_STATUS.MALFORMED, stored: 0 }, 0],
    ['test_reject_block_denied: DENIED', { status: LO_STATUS.DENIED, stored: 0 }, 0],
  ];
  test.each(cut)('%s: resolves the stored prefix, and the channel is failed until a whole delivery succeeds', async (_name, answer, stored) => {
    const r = rig();
    const t = new KernelAuditTransport(r.policyd);
    t.connect(r.toLogd);
    r.blockAnswers.push(answer);
    expect(await t.offerBlock(Array.from({ length: 4 }, () => r.next()))).toBe(stored);
    expect(t.ready()).toBe(false);
    expect(await t.offerBlock([r.next()])).toBe(1);
    expect(t.ready()).toBe(true);
  });

  test('test_reject_logd_dying_mid_block: a block whose logd dies unanswered resolves 0 and the channel is gone', async () => {
    const r = rig();
    const t = new KernelAuditTransport(r.policyd, { timeoutMs: 200 });
    t.connect(r.toLogd);
    r.kernel.faults.mute(r.logd);
    const pending = t.offerBlock(Array.from({ length: 3 }, () => r.next()));
    r.kernel.kill(r.logd);
    expect(await pending).toBe(0);
    expect(t.ready()).toBe(false);
    expect(t.offerBlock([r.next()])).toBe(false);
  });

  test('test_reject_block_before_connect: offerBlock answers false at once', () => {
    const r = rig();
    expect(new KernelAuditTransport(r.policyd).offerBlock([r.next()])).toBe(false);
  });
});
