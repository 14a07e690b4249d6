import { serviceIdFromName, type Task } from '@nexus/ipc';
import { learnFromJournal } from '@nexus/policy-cli';
import { PO_OP } from '@nexus/proto';
import { checkAudited } from './check-audited.js';
import { DEMO_BUNDLES, installDemoBundles } from './install-demo-bundles.js';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';
import { PolicyProbe } from './policy-probe.js';

/** recipes/policy/learn.toml puts the demo bundle in learn mode. */
const LEARNER = DEMO_BUNDLES.allowed;
/** Declared in recipes/policy, granted to samgrd only: no rule covers it for the demo bundle. */
const UNGRANTED_CAP = 'time.read';
/** `"*" = ["debug.*"]` denies this to every service, learn mode or not. */
const DENIED_CAP = 'debug.shell';

/** The running demo bundle: spawned through execd by the client if the exec phase did not run. */
async function learnerTask(ctx: PhaseContext): Promise<Task | string> {
  const ids = await installDemoBundles(ctx);
  if (typeof ids === 'string') return ids;
  const running = (): Task | undefined => ctx.system.spawned.find((t) => t.name === LEARNER && t.alive);
  if (running() === undefined) {
    const exec = await ctx.client.exec();
    if (exec === undefined) return 'no route to execd';
    const out = await exec.spawn(LEARNER);
    if (out.status !== 'ok') return `execd answered ${out.status}`;
  }
  const task = running();
  if (task === undefined || task.serviceId !== serviceIdFromName(LEARNER)) return 'the kernel runs no demo bundle';
  return task;
}

/**
 * The demo bundle asks policyd about itself: an ungranted capability is answered ALLOW and recorded
 * as a would-deny (deny, no-rule, mode=learn); a capability a [deny] rule covers is answered DENY
 * and recorded so, with mode=learn. Then `learnFromJournal` over the bundle's records read back
 * from logd grants exactly the would-denied pair. The harness hands the bundle its channel to
 * policyd, as the boot does for every service.
 */
async function checkLearn(ctx: PhaseContext): Promise<string | undefined> {
  const task = await learnerTask(ctx);
  if (typeof task === 'string') return task;
  const cap = ctx.system.kernel.grant(ctx.system.policyd.endpoint, task);
  const probe = new PolicyProbe(async (frame, timeoutMs) => (await task.call(cap, frame, { timeoutMs })).frame);
  const self = task.serviceId;
  const policyVersion = ctx.system.policyd.version;
  const ask = (c: string): ReturnType<PolicyProbe['send']> => probe.send((nonce) => ({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce, subjectId: self, cap: c }));

  const learned = await ask(UNGRANTED_CAP);
  if (learned.status !== 'allow') return `policyd answered ${learned.status} to an ungranted capability in learn mode`;
  const wouldDeny = await checkAudited(ctx, {
    nonce: learned.nonce, subject: self, sender: self, claimed: self, op: 'check_cap_delegated', action: UNGRANTED_CAP,
    decision: 'deny', reason: 'no-rule', mode: 'learn', policyVersion,
  });
  if (wouldDeny !== undefined) return wouldDeny;

  const denied = await ask(DENIED_CAP);
  if (denied.status !== 'deny') return `policyd answered ${denied.status} to a [deny] capability in learn mode`;
  const stillDenied = await checkAudited(ctx, {
    nonce: denied.nonce, subject: self, sender: self, claimed: self, op: 'check_cap_delegated', action: DENIED_CAP,
    decision: 'deny', reason: 'deny-rule', mode: 'learn', policyVersion,
  });
  if (stillDenied !== undefined) return stillDenied;

  const seq = ctx.reader.records().find((r) => r.kind === 'decision' && r.senderId === self && r.nonce === BigInt(learned.nonce))?.seq;
  const mine = ctx.reader.records().filter((r) => r.subjectId === self).map((record) => ({ record }));
  const report = learnFromJournal(mine, { policy: ctx.system.policyd.policy });
  const grants = report.grants.map((g) => `${g.service} ${g.pattern}`);
  if (grants.length !== 1 || grants[0] !== `${LEARNER} ${UNGRANTED_CAP}`) return `learn proposed ${grants.length} grant(s), not exactly the would-denied pair`;
  if (seq === undefined || !report.grants[0]?.seqs.includes(seq)) return 'the learned grant does not come from the would-deny record';
  return undefined;
}

/**
 * Phase `learn`: the demo bundle, in learn mode by recipes/policy/learn.toml, is allowed an
 * ungranted capability (recorded as a would-deny with mode=learn), still denied a [deny]-rule one,
 * and the learn patch from the run's own journal grants exactly the would-denied pair.
 *
 * @example
 * await phaseLearn(ctx); // [{ name: 'policy learn' }]
 */
export async function phaseLearn(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [marker('policy learn', await checkLearn(ctx))];
}
