import { LO_LEVEL } from '@nexus/proto';
import { checkSignedJournal } from './check-signed-journal.js';
import { fetchAuditKey } from './fetch-audit-key.js';
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

async function checkSigned(ctx: PhaseContext): Promise<string | undefined> {
  // The key comes from keystored over the client's own route: the journal is never its own anchor.
  const key = await fetchAuditKey(ctx);
  if (typeof key === 'string') return key;
  // policyd's flush ends the chain on a sealed checkpoint; the read-back stops at it.
  const synced = await syncJournal(ctx);
  if (typeof synced === 'string') return synced;
  return checkSignedJournal(ctx.reader.records(synced.checkpoint.seq), key.publicKey);
}

/**
 * Phase `audit`: the client cannot append to the audit journal, and the whole audit trail read back
 * from logd verifies against policyd's checkpoint, with nothing lost and every decision recorded;
 * then the same trail verifies under the audit key fetched from keystored alone (every seal, the
 * chain, no unsealed tail).
 *
 * @example
 * await phaseAudit(ctx); // [{ name: 'audit chain verify' }, { name: 'audit checkpoint signed' }]
 */
export async function phaseAudit(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  const chain = marker('audit chain verify', await checkChain(ctx));
  return [chain, marker('audit checkpoint signed', await checkSigned(ctx))];
}
