import type { Checkpoint } from '@nexus/audit';
import type { AuditReader } from './audit-reader.js';
import type { AuditKeyCopy } from './audit-key-copy.js';
import type { BootedSystem } from './boot-system.js';
import type { SelftestClient } from './selftest-client.js';

/**
 * One marker's result: earned when `cause` is absent, failed with a one-line cause otherwise.
 *
 * @example
 * const earned: MarkerOutcome = { name: 'policy allow audit' };
 */
export interface MarkerOutcome {
  /** The marker without `SELFTEST: ` and ` ok`, e.g. `exec denied`. */
  readonly name: string;
  readonly cause?: string;
}

/**
 * What every phase works with: the booted system (the harness side), the selftest client, and the
 * client's read-back copy of the audit trail. `installed` caches the exec phase's bundles for the
 * fault phase.
 *
 * @example
 * const outcomes = await phasePolicy(ctx);
 */
export interface PhaseContext {
  readonly system: BootedSystem;
  readonly client: SelftestClient;
  readonly reader: AuditReader;
  /** Image ids of the demo bundles, once installed. */
  installed: { readonly allowed: number; readonly forbidden: number } | undefined;
  /** The last checkpoint the held records were verified against (what `--audit-out` writes). */
  verified: Checkpoint | undefined;
  /** The audit public key, once fetched from keystored over the client's route. */
  auditKey?: AuditKeyCopy;
}

/**
 * A phase: runs its checks against the system and returns one outcome per marker, in print order.
 *
 * @example
 * const phase: Phase = phaseAudit;
 */
export type Phase = (ctx: PhaseContext) => Promise<readonly MarkerOutcome[]>;

/**
 * Builds a marker outcome from the cause a check function returned (`undefined` = earned).
 *
 * @example
 * marker('exec denied', await checkExecDenied(ctx));
 */
export function marker(name: string, cause: string | undefined): MarkerOutcome {
  return cause === undefined ? { name } : { name, cause };
}
