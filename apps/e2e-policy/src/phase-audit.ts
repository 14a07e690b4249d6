import { LO_LEVEL } from '@nexus/proto';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';
import { syncJournal } from './sync-journal.js';

async function checkChain(ctx: PhaseContext): Promise<string | undefined> {
  // The trail is only worth verifying if nobody but policyd can write it: a forged audit append fails.
  const log = await ctx.client.log();
  if (log === undefined) return 'no route to logd';
  const forged = await log.append({ level: LO_LEVEL.INFO, scope: 'policyd.audit', msg: 'forged' });
  if (forged.status !== 'denied') return `a forged audit append was answered ${forged.status}`;
  const synced = await syncJournal(ctx);
  if (typeof synced === 'string') return synced;
  const { checkpoint, stats } = synced;
  if (checkpoint.dropped !== 0n) return 'records were lost while logd was up';
  if (stats.recordedDecisions !== stats.decisions) return 'not every decision was recorded';
  return undefined;
}

/**
 * Phase `audit`: the client cannot append to the audit journal, and the whole audit trail read back
 * from logd verifies against policyd's checkpoint, with nothing lost and every decision recorded.
 *
 * @example
 * await phaseAudit(ctx); // [{ name: 'audit chain verify' }]
 */
export async function phaseAudit(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [marker('audit chain verify', await checkChain(ctx))];
}
