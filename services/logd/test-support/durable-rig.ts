import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditChain, type AuditInput } from '@nexus/audit';
import { Kernel, type SendCap, type Task } from '@nexus/ipc';
import { LO_JOURNAL, LogClient, encodeLogRequest, decodeLogReply, type LogQueryOptions } from '@nexus/proto';
import { startFakePolicyd } from '@nexus/test-support';
import type { LogdOptions } from '../src/logd-options.js';
import { startLogd, type LogdHandle } from '../src/start-logd.js';
import { afterEach } from 'vitest';

export const POLICY_VERSION = `sha256:${'ab'.repeat(32)}`;

/** A kernel with a durable logd, a fake policyd that allows every read and is the audit writer, and a reader task. */
export interface DurableRig {
  readonly kernel: Kernel;
  readonly logd: LogdHandle;
  readonly policyd: Task;
  readonly toAudit: SendCap;
  readonly app: Task;
  readonly appToLogd: SendCap;
  readonly reader: LogClient;
  readonly lines: string[];
}

/** A fresh temporary state dir, removed by the returned function. */
export function tempStateDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'logd-state-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Boots logd on `stateDir` (throws what startLogd throws). */
export function bootDurable(stateDir: string, options: Partial<LogdOptions> = {}): DurableRig {
  const kernel = new Kernel();
  const fake = startFakePolicyd(kernel, 'allow');
  const lines: string[] = [];
  const logd = startLogd(kernel, { auditWriter: fake.task.serviceId, stateDir, console: (l) => lines.push(l), ...options });
  logd.connectPolicyd(kernel.grant(fake.endpoint, logd.task));
  const app = kernel.spawn('app');
  const appToLogd = kernel.grant(logd.endpoint, app);
  const reader = new LogClient(async (frame, timeoutMs) => (await app.call(appToLogd, frame, { timeoutMs })).frame, { timeoutMs: 5000 });
  return { kernel, logd, policyd: fake.task, toAudit: kernel.grant(logd.auditEndpoint, fake.task), app, appToLogd, reader, lines };
}

/** A decision input numbered `i` (its subject varies so records differ). */
export function decisionInput(i: number, overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    timestampNs: BigInt(1000 + i),
    subjectId: BigInt(0x100 + (i % 7)),
    senderId: BigInt(0x100 + (i % 7)),
    op: 'check_cap',
    action: 'ipc.core',
    decision: i % 3 === 0 ? 'deny' : 'allow',
    reason: i % 3 === 0 ? 'no-rule' : 'policy-allow',
    policyVersion: POLICY_VERSION,
    ...overrides,
  };
}

/** A new chain for a boot. */
export function newChain(): AuditChain {
  return new AuditChain({ policyVersion: POLICY_VERSION });
}

/** Sends one audit APPEND from policyd and resolves with the reply status and record id. */
export async function appendAudit(rig: DurableRig, encoded: Uint8Array): Promise<{ status: number; recordId: bigint; dropped: bigint }> {
  const req = { version: 2, op: 1, nonce: 1n, level: 2, scope: 'policyd.audit', msg: '', fields: encoded } as const;
  const frame = (await rig.policyd.call(rig.toAudit, encodeLogRequest(req), { timeoutMs: 10_000 })).frame;
  const reply = decodeLogReply(frame, { version: 2, op: 1, nonce: 1n });
  if (reply.op !== 1) throw new Error('not an APPEND reply');
  return { status: reply.status, recordId: reply.recordId, dropped: reply.dropped };
}

/** Sends one APPEND_BLOCK of audit records from policyd and resolves with the reply's status, stored prefix and first id. */
export async function appendAuditBlock(rig: Pick<DurableRig, 'policyd' | 'toAudit'>, records: readonly Uint8Array[]): Promise<{ status: number; stored: number; firstId: bigint }> {
  const req = { version: 2, op: 4, nonce: 2n, records } as const;
  const frame = (await rig.policyd.call(rig.toAudit, encodeLogRequest(req), { timeoutMs: 10_000 })).frame;
  const reply = decodeLogReply(frame, { version: 2, op: 4, nonce: 2n });
  if (reply.op !== 4) throw new Error('not an APPEND_BLOCK reply');
  return { status: reply.status, stored: reply.stored, firstId: reply.firstId };
}

/** Reads every record of a journal back through QUERY pages (as the app, allowed by the fake policyd). */
export async function readJournal(rig: DurableRig, options: Partial<LogQueryOptions> = {}): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let cursor = 0n;
  for (let pages = 0; pages < 100_000; pages++) {
    const page = await rig.reader.query({ journal: LO_JOURNAL.AUDIT, maxCount: 64, ...options, cursor });
    if (page.status !== 'ok') throw new Error(`query ${page.status}`);
    out.push(...page.records);
    cursor = page.nextCursor;
    if (cursor === 0n) return out;
  }
  throw new Error('too many pages');
}

/** A test file's durable rigs: temporary state dirs and logds, all closed and removed after each test. */
export interface DurableRigs {
  /** A fresh temporary state dir, removed after the test. */
  stateDir(): string;
  /** A durable logd on `dir`, closed after the test. */
  boot(dir: string, options?: Partial<LogdOptions>): DurableRig;
  /** What a crash leaves: the kernel kills logd, its storage stops. */
  crash(rig: DurableRig): Promise<void>;
}

/**
 * Registers the clean-up once per test file (call it at the top level) and hands out rigs.
 *
 * @example
 * const rigs = useDurableRigs();
 * const rig = rigs.boot(rigs.stateDir());
 */
export function useDurableRigs(): DurableRigs {
  const dirs: (() => void)[] = [];
  const rigs: DurableRig[] = [];
  afterEach(async () => {
    for (const r of rigs.splice(0)) await r.logd.close();
    for (const remove of dirs.splice(0)) remove();
  });
  return {
    stateDir(): string {
      const t = tempStateDir();
      dirs.push(t.remove);
      return t.dir;
    },
    boot(dir: string, options: Partial<LogdOptions> = {}): DurableRig {
      const rig = bootDurable(dir, options);
      rigs.push(rig);
      return rig;
    },
    async crash(rig: DurableRig): Promise<void> {
      rig.kernel.kill(rig.logd.task);
      await rig.logd.close();
    },
  };
}
