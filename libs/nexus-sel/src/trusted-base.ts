/**
 * The services of the trusted base (RFC-0015 §3): the policy authority, the audit store, the key
 * holder and the services that start, route and install the others. A `[mode]` table may never put
 * one of them in learn mode: a learn-mode service is allowed what no rule grants, and the base is
 * what enforces every other service's policy.
 *
 * @example
 * TRUSTED_BASE.includes('policyd'); // true
 */
export const TRUSTED_BASE: readonly string[] = Object.freeze(['bundlemgrd', 'execd', 'init-lite', 'keystored', 'logd', 'policyd']);
