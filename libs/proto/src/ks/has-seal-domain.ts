import { KS_SEAL_DOMAIN } from './wire.js';

/**
 * Whether `message` starts with {@link KS_SEAL_DOMAIN}.
 *
 * @internal
 * @example
 * hasSealDomain(checkpointMessage); // true
 */
export function hasSealDomain(message: Uint8Array): boolean {
  if (message.byteLength < KS_SEAL_DOMAIN.byteLength) return false;
  for (let i = 0; i < KS_SEAL_DOMAIN.byteLength; i++) if (message[i] !== KS_SEAL_DOMAIN[i]) return false;
  return true;
}
