import type { CheckpointSigner } from '@nexus/audit';
import type { KeystoreClient } from '@nexus/proto';
import { PolicydError } from './policyd-error.js';

/**
 * The sealer's signer over keystored's SEAL op. keystored holds the audit key and decides nothing:
 * it asks policyd `audit.seal` about its caller. Any outcome but a 64-byte signature in a
 * well-formed OK reply (`KeystoreClient` is fail-closed: DENY, a dead or muted keystored, a
 * timeout, a garbage reply) rejects, and the `CheckpointSealer` then chains the checkpoint unsealed,
 * for the next seal to cover.
 *
 * @example
 * new CheckpointSealer({ sink, signer: keystoreSigner(new KeystoreClient(taskTransport(task, cap))), keyId, now });
 */
export function keystoreSigner(keystore: KeystoreClient): CheckpointSigner {
  return async (message: Uint8Array): Promise<Uint8Array> => {
    const res = await keystore.seal(message);
    if (res.status !== 'ok') throw new PolicydError('SEAL_FAILED', `keystored did not seal the checkpoint (${res.status})`);
    return res.signature;
  };
}
