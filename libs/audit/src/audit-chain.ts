import { AuditError } from './audit-error.js';
import type { AuditCheckpoint, AuditControl, AuditInput, AuditLost, AuditRecord, AuditShadow } from './audit-record.js';
import type { Checkpoint } from './checkpoint.js';
import { FrameWriter, U64_MAX } from '@nexus/ipc';
import { AUDIT_LIMITS } from './audit-record.js';
import { writeBody } from './encode-record.js';
import { HASH_BYTES, sha256 } from './hash-record.js';
import { validateInput, validateRecord } from './validate-record.js';
import { ZERO_HASH } from './zero-hash.js';

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

/** Room for a record's `prevHash` and `hash`, filled once the hash is known. */
const ZERO_TRAILER = new Uint8Array(64);

/**
 * Records chained but not sealed yet, plus sealed ones not yet taken, at most: `enqueue` seals the
 * queue when it is this long, and refuses records while this many sealed ones wait to be taken.
 *
 * @example
 * if (queued >= AUDIT_CHAIN_BLOCK) deliver(chain.takeSealed());
 */
export const AUDIT_CHAIN_BLOCK = 64;

function copyBytes(value: unknown): Uint8Array {
  // A non-Uint8Array is kept as is so that validation reports it typed.
  return value instanceof Uint8Array ? Uint8Array.prototype.slice.call(value) : (value as Uint8Array);
}

function copyRun(l: AuditLost): AuditLost {
  return {
    fromSeq: l.fromSeq, toSeq: l.toSeq, count: l.count, decisions: l.decisions,
    beforeHash: copyBytes(l.beforeHash), lastHash: copyBytes(l.lastHash),
  };
}

function copyShadow(s: AuditShadow): AuditShadow {
  return { decision: s.decision, reason: s.reason, policyVersion: s.policyVersion };
}

function copyCheckpoint(c: AuditCheckpoint): AuditCheckpoint {
  const signature = c.signature;
  return {
    bootId: copyBytes(c.bootId), headSeq: c.headSeq, headHash: copyBytes(c.headHash), dropped: c.dropped,
    prevSealedSeq: c.prevSealedSeq, prevSealedHash: copyBytes(c.prevSealedHash), keyId: copyBytes(c.keyId),
    ...(signature === undefined ? {} : { signature: copyBytes(signature) }),
  };
}

/** A chained record whose hashes are filled in when its block is sealed. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

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
  readonly #every: bigint;
  readonly #onCheckpoint: ((checkpoint: Checkpoint) => void) | undefined;
  #seq = 0n;
  #hash: Uint8Array = ZERO_HASH;
  #dropped = 0n;
  #queue: Mutable<AuditRecord>[] = [];
  #sealed: SealedRecord[] = [];
  readonly #writer = new FrameWriter(HASH_BYTES + AUDIT_CHAIN_BLOCK * AUDIT_LIMITS.maxRecordBytes);

  constructor(options: AuditChainOptions) {
    validateInput({
      timestampNs: 0n, subjectId: 0n, senderId: 0n, op: 'none', action: '', decision: 'deny', reason: 'none',
      policyVersion: options.policyVersion,
    });
    const every = options.checkpointEvery ?? 0;
    if (!Number.isSafeInteger(every) || every < 0) throw new AuditError('BAD_VALUE', 'checkpointEvery must be a non-negative integer');
    this.policyVersion = options.policyVersion;
    this.#every = BigInt(every);
    this.#onCheckpoint = options.onCheckpoint;
  }

  /** The seq of the last record chained (0 before the first). */
  get lastSeq(): bigint {
    return this.#seq;
  }

  /**
   * Chains a decision input or a control record and returns the sealed record. A decision must
   * carry the chain's policy version; bad fields throw `AuditError('BAD_VALUE')` and chain nothing.
   *
   * @example
   * chain.append({ kind: 'sink-switch', timestampNs: now(), sink: 'uart' }).kind; // 'sink-switch'
   */
  append(entry: AuditInput | AuditControl): AuditRecord {
    return this.appendSealed(entry).record;
  }

  /**
   * `append`, also returning the binary encoding (what the sink hands the primary store). Records
   * queued by `enqueue` are sealed first (they stay waiting for `takeSealed`).
   *
   * @example
   * const { record, encoded } = chain.appendSealed(input); // decodeRecord(encoded) deep-equals record
   */
  appendSealed(entry: AuditInput | AuditControl): SealedRecord {
    this.#sealQueue();
    const record = this.#chain(entry);
    const [sealed] = this.#seal([record]) as [SealedRecord];
    this.#checkpointAt(record.seq);
    return sealed;
  }

  /**
   * Chains a record now (its seq is final, its fields validated and copied) and seals it later, in
   * a block with its neighbours: at the latest when `takeSealed`, `appendSealed` or `checkpoint` is
   * called, at an automatic checkpoint, or when {@link AUDIT_CHAIN_BLOCK} records are queued. One
   * FrameWriter per block instead of per record is what keeps the decision path cheap; the chain
   * rule and every hash are exactly those of `append`. Throws `AuditError('BAD_VALUE')` for bad
   * fields and `AuditError('TOO_LARGE')` while {@link AUDIT_CHAIN_BLOCK} sealed records wait to be
   * taken; either way nothing is chained.
   *
   * @example
   * const seq = chain.enqueue(input); const [{ record }] = chain.takeSealed(); // record.seq === seq
   */
  enqueue(entry: AuditInput | AuditControl): bigint {
    if (this.#sealed.length >= AUDIT_CHAIN_BLOCK) throw new AuditError('TOO_LARGE', 'sealed records wait to be taken');
    const record = this.#chain(entry);
    this.#queue.push(record);
    if (this.#queue.length >= AUDIT_CHAIN_BLOCK || this.#isCheckpoint(record.seq)) this.#sealQueue();
    this.#checkpointAt(record.seq);
    return record.seq;
  }

  /**
   * Seals every queued record and returns, in seq order, those `enqueue` chained since the last call.
   *
   * @example
   * for (const { record, encoded } of chain.takeSealed()) transport.offer(record, encoded);
   */
  takeSealed(): SealedRecord[] {
    this.#sealQueue();
    const sealed = this.#sealed;
    this.#sealed = [];
    return sealed;
  }

  #chain(entry: AuditInput | AuditControl): Mutable<AuditRecord> {
    if (this.#seq === U64_MAX) throw new AuditError('BAD_VALUE', 'seq space exhausted');
    const seq = this.#seq + 1n;
    const record = 'kind' in entry ? this.#control(entry, seq) : this.#decision(entry, seq);
    this.#seq = seq;
    return record;
  }

  #isCheckpoint(seq: bigint): boolean {
    return this.#every > 0n && seq % this.#every === 0n;
  }

  #checkpointAt(seq: bigint): void {
    if (this.#isCheckpoint(seq)) this.#onCheckpoint?.(this.checkpoint());
  }

  #sealQueue(): void {
    if (this.#queue.length === 0) return;
    const queue = this.#queue;
    this.#queue = [];
    for (const sealed of this.#seal(queue)) this.#sealed.push(sealed);
  }

  /**
   * Encodes a block with the chain's one writer as `prevHash ‖ body₁ ‖ prevHash₁ ‖ hash₁ ‖ body₂ ‖ …`
   * and copies it out once. Since `hashᵢ₋₁` is `prevHashᵢ`, the 32 bytes before each body are that
   * record's previous hash: the hash input (`prevHash ‖ body`) and the wire encoding (`body ‖
   * prevHash ‖ hash`) are both views of the one buffer. Trailers are filled by plain byte loops:
   * `copyWithin`/`set` on 32 bytes cost more than the loop in this per-record path.
   */
  #seal(records: readonly Mutable<AuditRecord>[]): SealedRecord[] {
    const w = this.#writer.reset().bytes(this.#hash);
    const bodyEnds: number[] = [];
    for (const r of records) {
      bodyEnds.push(writeBody(r, w).length);
      w.bytes(ZERO_TRAILER);
    }
    const block = w.finish();
    const sealed: SealedRecord[] = [];
    let prev = this.#hash;
    let start = HASH_BYTES;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as Mutable<AuditRecord>;
      const bodyEnd = bodyEnds[i] as number;
      const hash = sha256(block.subarray(start - HASH_BYTES, bodyEnd));
      for (let k = 0; k < HASH_BYTES; k++) {
        block[bodyEnd + k] = prev[k] as number;
        block[bodyEnd + HASH_BYTES + k] = hash[k] as number;
      }
      r.prevHash = prev;
      r.hash = hash;
      prev = hash;
      const end = bodyEnd + 2 * HASH_BYTES;
      sealed.push({ record: r, encoded: block.subarray(start, end) });
      start = end;
    }
    this.#hash = prev;
    return sealed;
  }

  #decision(input: AuditInput, seq: bigint): Mutable<AuditRecord> {
    if (input.policyVersion !== this.policyVersion) {
      throw new AuditError('BAD_VALUE', 'decision policyVersion differs from the chain (the policy is immutable)');
    }
    validateInput(input);
    if (input.op === 'none' || input.reason === 'none') throw new AuditError('BAD_VALUE', 'a decision needs a real op and reason');
    // A fixed shape (not a spread of the caller's object) keeps this hot path monomorphic, and the
    // copy keeps a later change to the caller's object out of a record sealed later.
    const record: Mutable<AuditRecord> = {
      kind: 'decision', seq, timestampNs: input.timestampNs, subjectId: input.subjectId, senderId: input.senderId,
      claimedId: input.claimedId, op: input.op, action: input.action, target: input.target, decision: input.decision,
      reason: input.reason, rule: input.rule, policyVersion: input.policyVersion, nonce: input.nonce,
      mode: input.mode, shadow: input.shadow === undefined ? undefined : copyShadow(input.shadow),
      lost: undefined, sink: undefined, checkpoint: undefined, prevHash: ZERO_HASH, hash: ZERO_HASH,
    };
    // The copies are what is sealed: check them, not the caller's objects (a getter can change).
    if (record.mode !== undefined || record.shadow !== undefined) validateInput(record);
    return record;
  }

  #control(c: AuditControl, seq: bigint): Mutable<AuditRecord> {
    // Copies, so a later change to the caller's objects cannot reach a record sealed later.
    const lost = c.kind === 'audit-lost' || c.kind === 'audit-evicted' ? copyRun(c.lost) : undefined;
    const checkpoint = c.kind === 'checkpoint' ? copyCheckpoint(c.checkpoint) : undefined;
    const record: Mutable<AuditRecord> = {
      kind: c.kind, seq, timestampNs: c.timestampNs, subjectId: 0n, senderId: 0n, claimedId: undefined, op: 'none',
      action: '', target: undefined, decision: 'deny', reason: 'none', rule: undefined, policyVersion: this.policyVersion,
      nonce: undefined, mode: undefined, shadow: undefined, lost, sink: c.kind === 'sink-switch' ? c.sink : undefined, checkpoint, prevHash: ZERO_HASH, hash: ZERO_HASH,
    };
    validateRecord(record);
    return record;
  }

  /**
   * Counts `n` (default 1) chained records as missing: lost (recorded nowhere) or evicted by the
   * primary. The sink calls it; the count is the checkpoint's `dropped`.
   *
   * @example
   * chain.noteLost(); chain.checkpoint().dropped; // 1n
   */
  noteLost(n = 1n): void {
    if (typeof n !== 'bigint' || n < 1n || this.#dropped + n > this.#seq) throw new AuditError('BAD_VALUE', 'more records missing than chained');
    this.#dropped += n;
  }

  /**
   * The checkpoint at the last chained record: its seq and hash, the policy version and the records
   * lost so far (`noteLost`). Take it after `AuditSink.flush()` so that no delivery is still open.
   *
   * @example
   * checkpointToJson(chain.checkpoint()); // { seq: '3', hash: '…', policyVersion: 'sha256:…', dropped: '0' }
   */
  checkpoint(): Checkpoint {
    this.#sealQueue();
    return { seq: this.#seq, hash: this.#hash, policyVersion: this.policyVersion, dropped: this.#dropped };
  }
}
