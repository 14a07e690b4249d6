import { serviceIdFromName } from '@nexus/ipc';
import { checkAudited } from './check-audited.js';
import { DEMO_BUNDLES, installDemoBundles } from './install-demo-bundles.js';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';
import { publishBundle } from './publish-bundle.js';

/** The image id the policy's `proc.spawn@2` deny names: demo.forbidden must have got exactly it. */
const FORBIDDEN_IMAGE_ID = 2;
/**
 * A system service the boot does not start, listed under `[restrict] "bundle.install"` in
 * recipes/policy; a bundle of that name would run with its identity and its base grants.
 */
const SYSTEM_NAME = 'samgrd';
/** A capability recipes/policy/base.toml grants samgrd (and no demo bundle). */
const SYSTEM_NAME_CAP = 'time.read';

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

async function checkSystemNameDenied(ctx: PhaseContext): Promise<string | undefined> {
  // The same publisher's demo bundles install first, so a refusal here is about the name alone.
  const ids = await installDemoBundles(ctx);
  if (typeof ids === 'string') return ids;
  const bundles = await ctx.client.bundles();
  if (bundles === undefined) return 'no route to bundlemgrd';
  const bundle = await publishBundle(ctx.system, SYSTEM_NAME, [SYSTEM_NAME_CAP]);
  const out = await bundles.install(bundle.text, bundle.signature);
  if (out.status === 'ok') return 'the install was allowed';
  if (out.status !== 'deny') return `bundlemgrd answered ${out.status}`;
  const query = await bundles.query(SYSTEM_NAME);
  if (query.status === 'ok') return 'bundlemgrd QUERY finds the bundle';
  if (query.status !== 'not-found') return `bundlemgrd QUERY answered ${query.status}`;
  const list = await bundles.list();
  // A truncated list cannot show an absence.
  if (list.status !== 'ok') return `bundlemgrd LIST answered ${list.status}`;
  if (list.bundles.some((b) => b.name === SYSTEM_NAME)) return 'bundlemgrd LIST shows the bundle';
  // The refusal must be the named question's: the client's untargeted `bundle.install` does not cover
  // a restricted name and no rule names it, so policyd judges it without any rule.
  const self = ctx.client.task.serviceId;
  return checkAudited(ctx, {
    subject: self, sender: ctx.system.bundlemgrd.task.serviceId, claimed: self, op: 'check_cap_delegated', action: 'bundle.install',
    target: SYSTEM_NAME, decision: 'deny', reason: 'no-rule', policyVersion: ctx.system.policyd.version,
  });
}

/**
 * Phase `exec`: the harness publishes two signed demo bundles and the client installs them; execd
 * spawns the allowed one (the kernel really runs a task of that name) and refuses the one the policy
 * forbids, and both gate questions are audited about the client. Then the client tries to install a
 * bundle of the same publisher named after a system service the boot does not run (samgrd): bundlemgrd
 * answers DENY, neither QUERY nor LIST finds it, and the one record of bundlemgrd's named question
 * (`bundle.install` with the target samgrd) says deny, judged by no rule.
 *
 * @example
 * await phaseExec(ctx); // [{ name: 'exec denied' }, { name: 'exec allowed' }, { name: 'bundle system name denied' }]
 */
export async function phaseExec(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [
    marker('exec denied', await checkExecDenied(ctx)),
    marker('exec allowed', await checkExecAllowed(ctx)),
    marker('bundle system name denied', await checkSystemNameDenied(ctx)),
  ];
}
