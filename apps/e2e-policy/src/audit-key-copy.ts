import type { KeyObject } from 'node:crypto';

/**
 * The audit key's public half as the selftest client holds it: fetched from keystored over the
 * client's own route (KS AUDIT_PUBKEY), never from the journal it will check.
 *
 * @example
 * const key: AuditKeyCopy = { publicKey, pem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
 */
export interface AuditKeyCopy {
  readonly publicKey: KeyObject;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`), what `openssl pkey -pubin` reads. */
  readonly pem: string;
}
