import { expectRecord, type ExpectedRecord } from './expect-record.js';
import type { PhaseContext } from './phase-context.js';

/**
 * The audit half of every proof: waits until policyd's sink settled, reads back through logd QUERY
 * the records new since the previous read, requires the ONE record of the request with the expected
 * fields, and verifies the chain held so far. Returns `undefined` or the first failure's cause.
 *
 * @example
 * const cause = await checkAudited(ctx, { nonce, subject, sender: subject, op: 'route', action: 'ipc.route', target: 'logd', decision: 'deny', reason: 'identity-mismatch', claimed, policyVersion });
 */
export async function checkAudited(ctx: PhaseContext, want: ExpectedRecord): Promise<string | undefined> {
  await ctx.system.policyd.flush();
  const log = await ctx.client.log();
  if (log === undefined) return 'no route to logd';
  const read = await ctx.reader.readNew(log);
  if (!read.ok) return read.cause;
  const wrong = expectRecord(read.fresh, want);
  if (wrong !== undefined) return wrong;
  const chain = ctx.reader.verify();
  return chain.ok ? undefined : `audit chain does not verify (${chain.kind})`;
}
