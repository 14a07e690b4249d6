import type { AuditSinkStats, Checkpoint } from '@nexus/audit';
import type { PhaseContext } from './phase-context.js';

/**
 * Closes the audit trail at a checkpoint and proves the client's copy complete up to it: waits for
 * policyd's sink, takes `checkpoint()`, reads back through logd every record up to its seq and runs
 * `verifyChain` against it (so a modified, missing or extra record fails). On success the checkpoint
 * is kept in `ctx.verified`. Returns the checkpoint with the sink's counters at that moment, or the
 * cause of the failure.
 *
 * @example
 * const synced = await syncJournal(ctx); // { checkpoint, stats }, or e.g. 'audit chain does not verify (hash-mismatch)'
 */
export async function syncJournal(ctx: PhaseContext): Promise<{ readonly checkpoint: Checkpoint; readonly stats: AuditSinkStats } | string> {
  await ctx.system.policyd.flush();
  const checkpoint = ctx.system.policyd.checkpoint();
  const stats = ctx.system.policyd.auditStats();
  const log = await ctx.client.log();
  if (log === undefined) return 'no route to logd';
  if (ctx.reader.lastSeq < checkpoint.seq) {
    const read = await ctx.reader.readNew(log, checkpoint.seq);
    if (!read.ok) return read.cause;
  }
  const result = ctx.reader.verify(checkpoint);
  if (!result.ok) return `audit chain does not verify (${result.kind})`;
  ctx.verified = checkpoint;
  return { checkpoint, stats };
}
