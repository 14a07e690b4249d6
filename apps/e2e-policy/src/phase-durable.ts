import { PO_OP } from '@nexus/proto';
import { AuditReader } from './audit-reader.js';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';

/** Audited decisions made right before the crash: acknowledged by logd, read by nobody. */
const UNREAD_DECISIONS = 12;

async function checkDurable(ctx: PhaseContext): Promise<string | undefined> {
  const { system, client } = ctx;
  if (system.stateDir === undefined) return 'logd runs without a state dir';
  const policy = await client.policy();
  if (policy === undefined) return 'no route to policyd';
  const self = client.task.serviceId;
  for (let i = 0; i < UNREAD_DECISIONS; i++) {
    const answer = await policy.send((nonce) => ({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce, subjectId: self, cap: 'audit.read' }));
    if (answer.status !== 'allow') return `policyd answered ${answer.status}`;
    // One decision in flight at a time: each ALLOW in flight holds a UART line until logd confirms
    // its record, and a durable confirmation waits for an fdatasync.
    await system.policyd.flush();
  }
  // Every record is now acknowledged by logd (on disk: after its fdatasync), and none of the last
  // ones was read. policyd's own head is the anchor the read-back must reach.
  await system.policyd.flush();
  const stats = system.policyd.auditStats();
  if (stats.sink !== 'primary' || stats.toUart !== 0n || stats.lost !== 0n) return 'records did not all reach logd before the crash';
  const checkpoint = system.policyd.checkpoint();
  const unread = checkpoint.seq - ctx.reader.lastSeq;
  if (unread < BigInt(UNREAD_DECISIONS)) return 'the client already read the records the crash should hold';
  const acknowledged = system.logd.stats().audit.total;

  // The crash: the kernel kills logd; the harness starts a new one on the same state dir and
  // re-wires it (policyd both ways, init-lite's route), and the client routes to it anew.
  system.kernel.kill(system.logd.task);
  await system.respawnLogd();
  const recovery = system.logd.stats().storage?.recovery.audit;
  if (recovery === undefined) return 'the new logd has no storage';
  if (recovery.corruptions.length > 0) return `recovery found ${recovery.corruptions.length} corruptions`;
  if (BigInt(recovery.records) < acknowledged) return 'the new logd recovered fewer records than the old one acknowledged';
  client.forget('logd');
  const log = await client.log();
  if (log === undefined) return 'no route to the restarted logd';

  // Read the whole boot back from seq 1 with a fresh reader: pre-crash records included.
  const fresh = new AuditReader();
  const read = await fresh.readNew(log, checkpoint.seq);
  if (!read.ok) return read.cause;
  const records = fresh.records(checkpoint.seq);
  if (records.length !== Number(checkpoint.seq)) return `read back ${records.length} of ${checkpoint.seq} records`;
  if (records.some((r, i) => r.seq !== BigInt(i + 1))) return 'the read-back has a gap';
  const verified = fresh.verify(checkpoint);
  if (!verified.ok) return `audit chain does not verify after the crash (${verified.kind})`;
  // The client's running copy continues from the records it had not read yet.
  ctx.reader.add(records.filter((r) => r.seq > ctx.reader.lastSeq));
  ctx.verified = checkpoint;
  return undefined;
}

/**
 * Phase `durable`: logd keeps its journals on disk, so a crash loses nothing it acknowledged. The
 * client makes audited decisions, policyd's sink sees every record acknowledged by logd, nobody
 * reads the last of them, and logd is killed by the kernel. A new logd on the same state dir is
 * wired in through init-lite, and the client reads back every record of the boot from seq 1 —
 * including those from before the crash — verifying the chain against policyd's checkpoint, with
 * no gap.
 *
 * @example
 * await phaseDurable(ctx); // [{ name: 'audit durable' }]
 */
export async function phaseDurable(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [marker('audit durable', await checkDurable(ctx))];
}
