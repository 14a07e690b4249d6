import { serviceIdFromName } from '@nexus/ipc';
import { RouteClient } from '@nexus/proto';
import { checkAudited } from './check-audited.js';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';

async function checkBundlemgrdRouteDenied(ctx: PhaseContext): Promise<string | undefined> {
  const { system } = ctx;
  // The harness acts as bundlemgrd's own code here: its task asks init-lite, with its own identity.
  const router = new RouteClient(system.bundlemgrd.task, system.bundlemgrdRouter, { timeoutMs: 1000 });
  const out = await router.route('execd');
  if (out.status === 'ok') return 'bundlemgrd was handed a right to execd';
  if (out.status !== 'deny') return `init-lite answered ${out.status}`;
  return checkAudited(ctx, {
    subject: serviceIdFromName('bundlemgrd'),
    claimed: serviceIdFromName('bundlemgrd'),
    sender: system.initLite.task.serviceId,
    op: 'route',
    action: 'ipc.route',
    target: 'execd',
    decision: 'deny',
    reason: 'deny-rule',
    policyVersion: system.policyd.version,
  });
}

/**
 * Phase `routing`: bundlemgrd asks init-lite for a route to execd and is refused by the policy's
 * explicit deny, holds no right afterwards, and the router's question is in the audit trail.
 *
 * @example
 * await phaseRouting(ctx); // [{ name: 'bundlemgrd route execd denied' }]
 */
export async function phaseRouting(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [marker('bundlemgrd route execd denied', await checkBundlemgrdRouteDenied(ctx))];
}
