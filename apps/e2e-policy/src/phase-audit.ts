import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';
import { syncJournal } from './sync-journal.js';

async function checkChain(ctx: PhaseContext): Promise<string | undefined> {
  const synced = await syncJournal(ctx);
  if (typeof synced === 'string') return synced;
  const { checkpoint, stats } = synced;
  if (checkpoint.dropped !== 0n) return 'records were lost while logd was up';
  if (stats.recordedDecisions !== stats.decisions) return 'not every decision was recorded';
  return undefined;
}

/**
 * Phase `audit`: the whole audit trail read back from logd verifies against policyd's checkpoint,
 * with nothing lost and every decision recorded.
 *
 * @example
 * await phaseAudit(ctx); // [{ name: 'audit chain verify' }]
 */
export async function phaseAudit(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [marker('audit chain verify', await checkChain(ctx))];
}
