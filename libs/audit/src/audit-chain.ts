import { AuditError } from './audit-error.js';
import type { AuditControl, AuditInput, AuditRecord } from './audit-record.js';
import type { Checkpoint } from './checkpoint.js';
import { writeRecordBody } from './encode-record.js';
import { hashBody } from './hash-record.js';
import { validateInput } from './validate-record.js';

/**
 * Options of `AuditChain`.
 *
 * @example
 * const options: AuditChainOptions = { policyVersion: policy.version, checkpointEvery: 256, onCheckpoint: save };
 */
export interface AuditChainOptions {
  /** The version of the (immutable) policy; every decision appended must carry it. */
  readonly policyVersion: string;
  /** Produce a checkpoint automatically every N records (none when omitted). */
  readonly checkpointEvery?: number;
  /** Receives each automatic checkpoint. */
  readonly onCheckpoint?: (checkpoint: Checkpoint) => void;
}

/**
 * A chained record together with its binary encoding (computed once while sealing).
 *
 * @example
 * const { record, encoded }: SealedRecord = chain.appendSealed(input);
 */
export interface SealedRecord {
  readonly record: AuditRecord;
  readonly encoded: Uint8Array;
}

const ZERO_HASH = new Uint8Array(32);
const U64_MAX = 0xffffffffffffffffn;

/**
 * The hash chain: assigns `seq` (from 1, never reused), `prevHash` (32 zero bytes for seq 1) and
 * `hash = hashRecord(prevHash, record)` to every appended decision or control record, and produces
 * checkpoints on demand and every `checkpointEvery` records. Constant memory.
 *
 * @example
 * const chain = new AuditChain({ policyVersion: policy.version, checkpointEvery: 100 });
 * const record = chain.append(input); // record.seq === 1n
 */
export class AuditChain {
  readonly policyVersion: string;
  readonly #every: number;
  readonly #onCheckpoint: ((checkpoint: Checkpoint) => void) | undefined;
  #seq = 0n;
  #hash: Uint8Array = ZERO_HASH;
  #dropped = 0n;

  constructor(options: AuditChainOptions) {
    validateInput({
      timestampNs: 0n, subjectId: 0n, senderId: 0n, op: 'none', action: '', decision: 'deny', reason: 'none',
      policyVersion: options.policyVersion,
    });
    const every = options.checkpointEvery ?? 0;
    if (!Number.isSafeInteger(every) || every < 0) throw new AuditError('BAD_FIELD', 'checkpointEvery must be a non-negative integer');
    this.policyVersion = options.policyVersion;
    this.#every = every;
    this.#onCheckpoint = options.onCheckpoint;
  }

  /** The seq of the last record chained (0 before the first). */
  get lastSeq(): bigint {
    return this.#seq;
  }

  /**
   * Chains a decision input or a control record and returns the sealed record. A decision must
   * carry the chain's policy version; bad fields throw `AuditError('BAD_FIELD')` and chain nothing.
   *
   * @example
   * chain.append({ kind: 'sink-switch', timestampNs: now(), sink: 'uart' }).kind; // 'sink-switch'
   */
  append(entry: AuditInput | AuditControl): AuditRecord {
    return this.appendSealed(entry).record;
  }

  /**
   * `append`, also returning the binary encoding (what the sink hands the primary store).
   *
   * @example
   * const { record, encoded } = chain.appendSealed(input); // decodeRecord(encoded) deep-equals record
   */
  appendSealed(entry: AuditInput | AuditControl): SealedRecord {
    if (this.#seq === U64_MAX) throw new AuditError('BAD_FIELD', 'seq space exhausted');
    const seq = this.#seq + 1n;
    const prevHash = this.#hash;
    const unsealed = 'kind' in entry ? this.#control(entry, seq, prevHash) : this.#decision(entry, seq, prevHash);
    const { writer, body } = writeRecordBody(unsealed);
    const hash = hashBody(prevHash, body);
    const record: AuditRecord = Object.assign(unsealed, { hash });
    this.#seq = seq;
    this.#hash = hash;
    if (this.#every > 0 && seq % BigInt(this.#every) === 0n) this.#onCheckpoint?.(this.checkpoint());
    return { record, encoded: writer.bytes(prevHash).bytes(hash).finish() };
  }

  #decision(input: AuditInput, seq: bigint, prevHash: Uint8Array): Omit<AuditRecord, 'hash'> {
    if (input.policyVersion !== this.policyVersion) {
      throw new AuditError('BAD_FIELD', 'decision policyVersion differs from the chain (the policy is immutable)');
    }
    // A fixed shape (not a spread of the caller's object) keeps this hot path monomorphic.
    return {
      kind: 'decision', seq, timestampNs: input.timestampNs, subjectId: input.subjectId, senderId: input.senderId,
      claimedId: input.claimedId, op: input.op, action: input.action, target: input.target, decision: input.decision,
      reason: input.reason, rule: input.rule, policyVersion: input.policyVersion, nonce: input.nonce, prevHash,
    };
  }

  #control(c: AuditControl, seq: bigint, prevHash: Uint8Array): Omit<AuditRecord, 'hash'> {
    const base = {
      seq, prevHash, timestampNs: c.timestampNs, subjectId: 0n, senderId: 0n, op: 'none', action: '',
      decision: 'deny', reason: 'none', policyVersion: this.policyVersion,
    } as const;
    return c.kind === 'audit-lost' ? { ...base, kind: c.kind, lost: c.lost } : { ...base, kind: c.kind, sink: c.sink };
  }

  /**
   * Counts one chained record as lost (recorded nowhere). The sink calls it; the count is the
   * checkpoint's `dropped`.
   *
   * @example
   * chain.noteLost(); chain.checkpoint().dropped; // 1n
   */
  noteLost(): void {
    if (this.#dropped >= this.#seq) throw new AuditError('BAD_FIELD', 'more records lost than chained');
    this.#dropped++;
  }

  /**
   * The checkpoint at the last chained record: its seq and hash, the policy version and the records
   * lost so far (`noteLost`). Take it after `AuditSink.flush()` so that no delivery is still open.
   *
   * @example
   * checkpointToJson(chain.checkpoint()); // { seq: '3', hash: '…', policyVersion: 'sha256:…', dropped: '0' }
   */
  checkpoint(): Checkpoint {
    return { seq: this.#seq, hash: this.#hash, policyVersion: this.policyVersion, dropped: this.#dropped };
  }
}
