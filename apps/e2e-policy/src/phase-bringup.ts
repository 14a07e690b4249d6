import { PO_OP } from '@nexus/proto';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';

async function checkBringup(ctx: PhaseContext): Promise<string | undefined> {
  const { client, system } = ctx;
  const policy = await client.policy();
  if (policy === undefined) return 'no route to policyd';
  const version = await policy.send((nonce) => ({ version: 2, op: PO_OP.VERSION, nonce }));
  if (version.status !== 'allow') return `policyd VERSION answered ${version.status}`;
  if (version.label !== system.policyd.version) return 'policyd VERSION differs from the compiled policy version';

  const log = await client.log();
  if (log === undefined) return 'no route to logd';
  const stats = await log.stats();
  if (stats.status !== 'ok') return `logd STATS answered ${stats.status}`;

  const keystore = await client.keystore();
  if (keystore === undefined) return 'no route to keystored';
  const pubkey = await keystore.pubkey();
  if (pubkey.status !== 'ok') return `keystored PUBKEY answered ${pubkey.status}`;

  const bundles = await client.bundles();
  if (bundles === undefined) return 'no route to bundlemgrd';
  const list = await bundles.list();
  if (list.status !== 'ok' && list.status !== 'truncated') return `bundlemgrd LIST answered ${list.status}`;

  const exec = await client.exec();
  if (exec === undefined) return 'no route to execd';
  // An image nobody installed: execd must answer (NOT_FOUND) without spawning anything.
  const spawn = await exec.spawn('bringup.absent');
  if (spawn.status !== 'not-found') return `execd answered ${spawn.status} for an absent image`;
  return undefined;
}

/**
 * Phase `bringup`: every service answers the selftest client over a route init-lite handed out,
 * and policyd's VERSION equals the version of the policy it compiled at boot.
 *
 * @example
 * await phaseBringup(ctx); // [{ name: 'bringup' }]
 */
export async function phaseBringup(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [marker('bringup', await checkBringup(ctx))];
}
