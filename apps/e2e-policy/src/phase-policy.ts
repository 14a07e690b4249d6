import { serviceIdFromName } from '@nexus/ipc';
import { PO_OP } from '@nexus/proto';
import { checkAudited } from './check-audited.js';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';

/** The selftest client holds `audit.read` in recipes/policy. */
const GRANTED_CAP = 'audit.read';
/** `"*" = ["debug.*"]` in recipes/policy denies this to every service, whatever any file grants. */
const DENIED_CAP = 'debug.shell';

/** Asks policyd about the client's own capability `cap` and checks the answer and its one record. */
async function checkOwnCap(ctx: PhaseContext, cap: string, decision: 'allow' | 'deny', reason: 'policy-allow' | 'deny-rule'): Promise<string | undefined> {
  const policy = await ctx.client.policy();
  if (policy === undefined) return 'no route to policyd';
  const self = ctx.client.task.serviceId;
  const answer = await policy.send((nonce) => ({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce, subjectId: self, cap }));
  if (answer.status !== decision) return `policyd answered ${answer.status}`;
  return checkAudited(ctx, {
    nonce: answer.nonce, subject: self, sender: self, claimed: self, op: 'check_cap_delegated', action: cap,
    decision, reason, policyVersion: ctx.system.policyd.version,
  });
}

async function checkSpoof(ctx: PhaseContext): Promise<string | undefined> {
  const policy = await ctx.client.policy();
  if (policy === undefined) return 'no route to policyd';
  const self = ctx.client.task.serviceId;
  // The payload claims to be keystored; the kernel says the sender is the selftest client.
  const answer = await policy.send((nonce) => ({ version: 2, op: PO_OP.ROUTE, nonce, requester: 'keystored', target: 'logd' }));
  if (answer.status !== 'deny') return `policyd answered ${answer.status}`;
  return checkAudited(ctx, {
    nonce: answer.nonce, subject: self, sender: self, claimed: serviceIdFromName('keystored'), op: 'route',
    action: 'ipc.route', target: 'logd', decision: 'deny', reason: 'identity-mismatch', policyVersion: ctx.system.policyd.version,
  });
}

async function checkMalformed(ctx: PhaseContext): Promise<string | undefined> {
  const policy = await ctx.client.policy();
  if (policy === undefined) return 'no route to policyd';
  const self = ctx.client.task.serviceId;
  // A CHECK_CAP_DELEGATED whose capability is two bytes shorter than its length byte says.
  const answer = await policy.sendBroken((nonce) => ({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce, subjectId: self, cap: GRANTED_CAP }), 2);
  if (answer.status !== 'malformed') return `policyd answered ${answer.status}`;
  return checkAudited(ctx, {
    nonce: answer.nonce, subject: self, sender: self, op: 'check_cap_delegated', action: '',
    decision: 'deny', reason: 'malformed', policyVersion: ctx.system.policyd.version,
  });
}

/**
 * Phase `policy`: an allowed and a denied question, a requester spoof and a truncated frame, each
 * answered by policyd and each found as the ONE audit record carrying its nonce.
 *
 * @example
 * await phasePolicy(ctx); // four outcomes
 */
export async function phasePolicy(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [
    marker('policy allow audit', await checkOwnCap(ctx, GRANTED_CAP, 'allow', 'policy-allow')),
    marker('policy deny audit', await checkOwnCap(ctx, DENIED_CAP, 'deny', 'deny-rule')),
    marker('policyd requester spoof denied', await checkSpoof(ctx)),
    marker('policy malformed', await checkMalformed(ctx)),
  ];
}
