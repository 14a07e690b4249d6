import { U64_MAX } from '@nexus/ipc';
import { AuditError } from './audit-error.js';
import { fromHex, toHex } from './hex.js';

/**
 * A chain's state at one seq: enough to detect any later change to the records up to it.
 *
 * @example
 * const checkpoint: Checkpoint = chain.checkpoint(); // { seq: 42n, hash, policyVersion, dropped: 0n }
 */
export interface Checkpoint {
  readonly seq: bigint;
  readonly hash: Uint8Array;
  readonly policyVersion: string;
  /** Chained records up to `seq` that were recorded nowhere (each declared by an `audit-lost` record). */
  readonly dropped: bigint;
}

/**
 * The JSON-safe form of a `Checkpoint`: decimal strings and lowercase hex.
 *
 * @example
 * const json: CheckpointJson = checkpointToJson(checkpoint); // { seq: '42', hash: 'ab…', … }
 */
export interface CheckpointJson {
  readonly seq: string;
  readonly hash: string;
  readonly policyVersion: string;
  readonly dropped: string;
}

const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const VERSION = /^sha256:[0-9a-f]{64}$/;

/**
 * Converts a checkpoint to plain JSON-safe values.
 *
 * @example
 * JSON.stringify(checkpointToJson(chain.checkpoint())); // '{"seq":"3","hash":"ab…","policyVersion":"sha256:…","dropped":"0"}'
 */
export function checkpointToJson(c: Checkpoint): CheckpointJson {
  return { seq: c.seq.toString(), hash: toHex(c.hash), policyVersion: c.policyVersion, dropped: c.dropped.toString() };
}

function u64(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !DECIMAL.test(value) || BigInt(value) > U64_MAX) {
    throw new AuditError('MALFORMED', `checkpoint ${what} must be a decimal u64 string`);
  }
  return BigInt(value);
}

/**
 * Reads a checkpoint from parsed JSON, checking every field; throws only `AuditError('MALFORMED')`.
 * Extra keys (such as a `type` tag of the container) are ignored.
 *
 * @example
 * checkpointFromJson(JSON.parse(text)); // Checkpoint
 */
export function checkpointFromJson(value: unknown): Checkpoint {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuditError('MALFORMED', 'checkpoint must be an object');
  }
  const v = value as Record<string, unknown>;
  if (typeof v['policyVersion'] !== 'string' || !VERSION.test(v['policyVersion'])) {
    throw new AuditError('MALFORMED', 'checkpoint policyVersion must be sha256:<64 lowercase hex>');
  }
  if (typeof v['hash'] !== 'string') throw new AuditError('MALFORMED', 'checkpoint hash must be a string');
  return {
    seq: u64(v['seq'], 'seq'),
    hash: fromHex(v['hash'], 32, 'checkpoint hash'),
    policyVersion: v['policyVersion'],
    dropped: u64(v['dropped'], 'dropped'),
  };
}
