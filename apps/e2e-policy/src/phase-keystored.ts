import { checkAudited } from './check-audited.js';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';

async function checkSignDenied(ctx: PhaseContext): Promise<string | undefined> {
  const keystore = await ctx.client.keystore();
  if (keystore === undefined) return 'no route to keystored';
  const signed = await keystore.sign(new TextEncoder().encode('selftest payload'));
  if (signed.status === 'ok') return 'sign was allowed';
  if (signed.status !== 'deny') return `keystored answered ${signed.status}`;
  const self = ctx.client.task.serviceId;
  return checkAudited(ctx, {
    subject: self, sender: ctx.system.keystored.task.serviceId, claimed: self, op: 'check_cap_delegated', action: 'crypto.sign',
    decision: 'deny', reason: 'no-rule', policyVersion: ctx.system.policyd.version,
  });
}

async function checkKeyExportDenied(ctx: PhaseContext): Promise<string | undefined> {
  const keystore = await ctx.client.keystore();
  if (keystore === undefined) return 'no route to keystored';
  const out = await keystore.getDevicePrivkey();
  return out.status === 'private-export-denied' ? undefined : `keystored answered ${out.status}`;
}

/**
 * Phase `keystored`: the client (which holds no `crypto.sign`) is refused a signature, the gate asked
 * policyd about the client (not about itself) and that question is audited; the device private key
 * cannot be exported.
 *
 * @example
 * await phaseKeystored(ctx); // two outcomes
 */
export async function phaseKeystored(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [
    marker('keystored sign denied', await checkSignDenied(ctx)),
    marker('keystored key export denied', await checkKeyExportDenied(ctx)),
  ];
}
