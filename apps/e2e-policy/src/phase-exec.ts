import { serviceIdFromName } from '@nexus/ipc';
import { checkAudited } from './check-audited.js';
import { DEMO_BUNDLES, installDemoBundles } from './install-demo-bundles.js';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';

/** The image id the policy's `proc.spawn@2` deny names: demo.forbidden must have got exactly it. */
const FORBIDDEN_IMAGE_ID = 2;

async function checkExecAllowed(ctx: PhaseContext): Promise<string | undefined> {
  const ids = await installDemoBundles(ctx);
  if (typeof ids === 'string') return ids;
  const exec = await ctx.client.exec();
  if (exec === undefined) return 'no route to execd';
  const out = await exec.spawn(DEMO_BUNDLES.allowed);
  if (out.status !== 'ok') return `execd answered ${out.status}`;
  const task = ctx.system.spawned.find((t) => t.name === DEMO_BUNDLES.allowed);
  if (task === undefined || !task.alive) return 'the kernel runs no task of that name';
  if (out.taskId !== task.serviceId || task.serviceId !== serviceIdFromName(DEMO_BUNDLES.allowed)) return 'execd named another task';
  return checkAudited(ctx, {
    subject: ctx.client.task.serviceId, sender: ctx.system.execd.task.serviceId, claimed: ctx.client.task.serviceId, op: 'exec', action: 'proc.spawn',
    target: String(ids.allowed), decision: 'allow', reason: 'policy-allow', policyVersion: ctx.system.policyd.version,
  });
}

async function checkExecDenied(ctx: PhaseContext): Promise<string | undefined> {
  const ids = await installDemoBundles(ctx);
  if (typeof ids === 'string') return ids;
  if (ids.forbidden !== FORBIDDEN_IMAGE_ID) return `the forbidden image got id ${ids.forbidden}`;
  const exec = await ctx.client.exec();
  if (exec === undefined) return 'no route to execd';
  const out = await exec.spawn(DEMO_BUNDLES.forbidden);
  if (out.status === 'ok' || ctx.system.spawned.some((t) => t.name === DEMO_BUNDLES.forbidden)) return 'the spawn was allowed';
  if (out.status !== 'deny') return `execd answered ${out.status}`;
  return checkAudited(ctx, {
    subject: ctx.client.task.serviceId, sender: ctx.system.execd.task.serviceId, claimed: ctx.client.task.serviceId, op: 'exec', action: 'proc.spawn',
    target: String(ids.forbidden), decision: 'deny', reason: 'deny-rule', policyVersion: ctx.system.policyd.version,
  });
}

/**
 * Phase `exec`: the harness publishes two signed demo bundles and the client installs them; execd
 * spawns the allowed one (the kernel really runs a task of that name) and refuses the one the policy
 * forbids, and both gate questions are audited about the client.
 *
 * @example
 * await phaseExec(ctx); // [{ name: 'exec denied' }, { name: 'exec allowed' }]
 */
export async function phaseExec(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [marker('exec denied', await checkExecDenied(ctx)), marker('exec allowed', await checkExecAllowed(ctx))];
}
