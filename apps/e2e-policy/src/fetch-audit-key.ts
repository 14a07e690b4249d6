import { createPublicKey } from 'node:crypto';
import type { AuditKeyCopy } from './audit-key-copy.js';
import type { PhaseContext } from './phase-context.js';

/**
 * Fetches the audit public key from keystored through the client's route (once; cached in
 * `ctx.auditKey`). Returns the key, or a one-line cause (no key material, no reply bytes).
 *
 * @example
 * const key = await fetchAuditKey(ctx); if (typeof key === 'string') return key;
 */
export async function fetchAuditKey(ctx: PhaseContext): Promise<AuditKeyCopy | string> {
  if (ctx.auditKey !== undefined) return ctx.auditKey;
  const keystore = await ctx.client.keystore();
  if (keystore === undefined) return 'no route to keystored';
  const res = await keystore.auditPubkey();
  if (res.status !== 'ok') return `keystored answered the audit key request with ${res.status}`;
  // The client checked the key id against the key (KeystoreClient); node:crypto parses the SPKI DER.
  const publicKey = createPublicKey({ key: Buffer.from(res.auditKey.spkiDer), format: 'der', type: 'spki' });
  const key: AuditKeyCopy = { publicKey, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  ctx.auditKey = key;
  return key;
}
