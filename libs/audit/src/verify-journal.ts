import type { KeyObject } from 'node:crypto';
import type { AuditRecord } from './audit-record.js';
import type { Checkpoint } from './checkpoint.js';
import { checkpointMessageOf } from './encode-record.js';
import { toHex } from './hex.js';
import { parseJournal, type JournalEntry } from './journal-file.js';
import { auditKeyId, verifyCheckpointSignature } from './seal-key.js';
import { sameBytes } from './same-bytes.js';
import { verifyChain, type ChainBreakKind } from './verify-chain.js';

/**
 * How a journal breaks: a chain break (`ChainBreakKind`), or a seal that does not vouch for it:
 * `bad-seal` (a signature that does not verify under the key, a checkpoint of another key, or one
 * whose head hash or loss count contradicts the chain), `foreign-boot` (a checkpoint of another
 * boot), `seal-gap` (a sealed checkpoint that does not link to the previous one: one was removed,
 * replayed or reordered).
 *
 * @example
 * const kind: JournalBreakKind = 'bad-seal';
 */
export type JournalBreakKind = ChainBreakKind | 'bad-seal' | 'foreign-boot' | 'seal-gap';

/**
 * Why a journal that did not break still proves nothing (or not all of it): `no-trust-anchor`
 * (neither a key nor a checkpoint was given), `no-seal` (a key, but no checkpoint it sealed covers
 * the chain), `unsealed-tail` (records after the last seal), `empty` (no records).
 *
 * @example
 * const reason: UnverifiedReason = 'unsealed-tail';
 */
export type UnverifiedReason = 'no-trust-anchor' | 'no-seal' | 'unsealed-tail' | 'empty';

/**
 * What `verifyJournal` concluded. Only `ok` proves anything: every record up to `verifiedThrough`
 * chains and is covered by the trust anchor; `tail` records after it are unproved (present only
 * with `allowUnsealedTail`, and said in `warnings`).
 *
 * @example
 * const verdict: JournalVerdict = verifyJournalText(text, { publicKey }); if (verdict.status === 'broken') verdict.kind;
 */
export type JournalVerdict =
  | {
      readonly status: 'ok';
      readonly records: number;
      readonly lastSeq: bigint;
      readonly verifiedThrough: bigint;
      readonly seals: number;
      readonly tail: number;
      readonly warnings: readonly string[];
    }
  | {
      readonly status: 'unverified';
      readonly reason: UnverifiedReason;
      readonly records: number;
      readonly verifiedThrough: bigint;
      readonly seals: number;
      readonly tail: number;
      readonly detail: string;
    }
  | { readonly status: 'broken'; readonly kind: JournalBreakKind; readonly line: number; readonly seq: bigint; readonly detail: string };

/**
 * Trust anchors and strictness of `verifyJournal`. A verifier trusts a key (or a checkpoint it
 * obtained elsewhere), never the file it checks.
 *
 * @example
 * const options: VerifyJournalOptions = { publicKey: loadAuditPublicKey(pem) };
 */
export interface VerifyJournalOptions {
  /** The audit key's public half: every checkpoint must be of this key, every seal must verify. */
  readonly publicKey?: KeyObject;
  /** An (unsigned) checkpoint obtained where the journal's writer cannot change it. */
  readonly checkpoint?: Checkpoint & { readonly bootId?: Uint8Array };
  /** The boot the journal must be of (16 bytes); otherwise the first checkpoint's. */
  readonly bootId?: Uint8Array;
  /** Accept records after the last seal (reported as a warning) instead of `unverified`. */
  readonly allowUnsealedTail?: boolean;
  /** Without a key or checkpoint, accept a journal that chains from seq 1 (with a warning). */
  readonly allowUnsigned?: boolean;
}

interface Anchor {
  /** The last seq the anchor vouches for (its own checkpoint record too, when it follows the head). */
  through: bigint;
}

type Broken = Extract<JournalVerdict, { status: 'broken' }>;

/**
 * Verifies a journal's text: parses it (`parseJournal`: a line that does not parse is `bad-record`
 * at that line) and runs `verifyJournal`. A journal over 64 MiB throws `AuditError('TOO_LARGE')`.
 *
 * @example
 * verifyJournalText(readFileSync('audit.journal', 'utf8'), { publicKey }); // { status: 'ok', ... }
 */
export function verifyJournalText(text: string, options: VerifyJournalOptions): JournalVerdict {
  const { entries, bad } = parseJournal(text);
  if (bad !== undefined) return { status: 'broken', kind: 'bad-record', line: bad.line, seq: 0n, detail: bad.detail };
  return verifyJournal(entries, options);
}

/**
 * The `audit verify` rules. First the chain (`verifyChain` from seq 1: every record chains, every
 * gap is a declared, bridged run). Then every checkpoint record: all of one boot (`foreign-boot`);
 * with a key, each of that key (`bad-seal`), each signature valid over its exact message
 * (`bad-seal`), its head hash the chain's at `headSeq` and the runs declared up to its head within
 * its `dropped` count (`bad-seal`), each sealed checkpoint linked to the previous sealed one, heads
 * strictly increasing (`seal-gap`). Then the trust anchor: the last valid seal (or the given
 * checkpoint) vouches for every record up to its head, and for its own record when that follows the
 * head directly (its every field is in the signed message). Records after that are the unsealed
 * tail. Without a key or checkpoint nothing is proved: `unverified` (`no-trust-anchor`), or with
 * `allowUnsigned` `ok` with a warning.
 *
 * @example
 * verifyJournal(parseJournal(text).entries, { publicKey }); // { status: 'ok', verifiedThrough: 42n, tail: 0, ... }
 */
export function verifyJournal(entries: readonly JournalEntry[], options: VerifyJournalOptions): JournalVerdict {
  const records = entries.map((e) => e.record);
  const lineAt = (index: number): number => entries[index]?.line ?? (entries.at(-1)?.line ?? 0) + 1;
  const chain = verifyChain(records, undefined, { fromStart: true });
  if (!chain.ok) return { status: 'broken', kind: chain.kind, line: lineAt(chain.index), seq: chain.seq, detail: chain.detail };
  const lastSeq = chain.lastSeq;
  const known = knownHashes(records);

  const seals = checkSeals(records, known, options, lineAt);
  if ('status' in seals) return seals;
  let through = seals.anchor?.through;
  const sealCount = seals.count;
  if (options.checkpoint !== undefined) {
    const anchored = checkAnchor(records, known, options.checkpoint, seals.bootId, lineAt);
    if ('status' in anchored) return anchored;
    through = through === undefined || anchored.through > through ? anchored.through : through;
  }
  const summary = { records: records.length, seals: sealCount };
  if (records.length === 0) return { status: 'unverified', reason: 'empty', ...summary, verifiedThrough: 0n, tail: 0, detail: 'the journal has no records' };
  const warnings: string[] = [];
  if (through === undefined) {
    if (options.publicKey !== undefined) {
      return {
        status: 'unverified', reason: 'no-seal', ...summary, verifiedThrough: 0n, tail: records.length,
        detail: 'no checkpoint sealed by the key covers the journal',
      };
    }
    if (options.allowUnsigned !== true) {
      return {
        status: 'unverified', reason: 'no-trust-anchor', ...summary, verifiedThrough: 0n, tail: records.length,
        detail: 'no trust anchor: without --key or --checkpoint a rewritten journal cannot be told from a genuine one',
      };
    }
    warnings.push('unsigned: the records chain from seq 1, but nothing proves they were not all rewritten');
    through = lastSeq;
  }
  const limit = through;
  const tail = records.filter((r) => r.seq > limit).length;
  if (tail > 0) {
    if (options.allowUnsealedTail !== true) {
      return {
        status: 'unverified', reason: 'unsealed-tail', ...summary, verifiedThrough: limit, tail,
        detail: `${tail} record(s) after seq ${limit} are not covered by a seal`,
      };
    }
    warnings.push(`unsealed tail: ${tail} record(s) after seq ${limit} are not covered by a seal`);
  }
  return { status: 'ok', ...summary, lastSeq, verifiedThrough: limit, tail, warnings };
}

/** The hash at every seq the journal tells: present records, and the end of every declared run. */
function knownHashes(records: readonly AuditRecord[]): Map<bigint, Uint8Array> {
  const known = new Map<bigint, Uint8Array>();
  for (const r of records) {
    known.set(r.seq, r.hash);
    if ((r.kind === 'audit-lost' || r.kind === 'audit-evicted') && r.lost !== undefined && !known.has(r.lost.toSeq)) {
      known.set(r.lost.toSeq, r.lost.lastHash);
    }
  }
  return known;
}

/** Σ count of the runs declared by records at seq ≤ `head`. */
function declaredThrough(records: readonly AuditRecord[], head: bigint): bigint {
  let n = 0n;
  for (const r of records) {
    if (r.seq > head) break;
    if ((r.kind === 'audit-lost' || r.kind === 'audit-evicted') && r.lost !== undefined) n += r.lost.count;
  }
  return n;
}

function inRun(records: readonly AuditRecord[], seq: bigint): boolean {
  return records.some((r) => (r.kind === 'audit-lost' || r.kind === 'audit-evicted') && r.lost !== undefined && r.lost.fromSeq <= seq && seq <= r.lost.toSeq);
}

function checkSeals(
  records: readonly AuditRecord[],
  known: ReadonlyMap<bigint, Uint8Array>,
  options: VerifyJournalOptions,
  lineAt: (index: number) => number,
): Broken | { anchor: Anchor | undefined; count: number; bootId: Uint8Array | undefined } {
  const keyId = options.publicKey === undefined ? undefined : auditKeyId(options.publicKey);
  let bootId = options.bootId ?? options.checkpoint?.bootId;
  let prev: { seq: bigint; hash: Uint8Array; head: bigint; dropped: bigint } = { seq: 0n, hash: new Uint8Array(32), head: 0n, dropped: 0n };
  let anchor: Anchor | undefined;
  let count = 0;
  for (let index = 0; index < records.length; index++) {
    const r = records[index] as AuditRecord;
    const c = r.checkpoint;
    if (r.kind !== 'checkpoint' || c === undefined) continue;
    const brk = (kind: JournalBreakKind, detail: string): Broken => ({ status: 'broken', kind, line: lineAt(index), seq: r.seq, detail });
    if (bootId === undefined) bootId = c.bootId;
    else if (!sameBytes(bootId, c.bootId)) return brk('foreign-boot', `checkpoint of boot ${toHex(c.bootId)} in a journal of boot ${toHex(bootId)}`);
    if (keyId !== undefined && !sameBytes(keyId, c.keyId)) return brk('bad-seal', `checkpoint of key ${toHex(c.keyId).slice(0, 16)}..., not of the key given`);
    if (options.publicKey === undefined || c.signature === undefined) continue;
    if (!verifyCheckpointSignature(checkpointMessageOf(r), c.signature, options.publicKey)) {
      return brk('bad-seal', `the seal of seq ${r.seq} does not verify under the key`);
    }
    const head = known.get(c.headSeq);
    if (head !== undefined && !sameBytes(head, c.headHash)) {
      return brk('bad-seal', `the seal of seq ${r.seq} vouches for another hash at seq ${c.headSeq}: the records up to it were changed`);
    }
    const declared = declaredThrough(records, c.headSeq);
    if (declared > c.dropped) return brk('bad-seal', `runs declared up to seq ${c.headSeq} count ${declared}, the seal says ${c.dropped} missing`);
    if (c.dropped < prev.dropped) return brk('bad-seal', `the seal says ${c.dropped} missing, the one before it ${prev.dropped}`);
    // The previous sealed checkpoint may itself be missing, but then inside a declared run.
    const linked = c.prevSealedSeq === prev.seq ? sameBytes(c.prevSealedHash, prev.hash) : c.prevSealedSeq > prev.seq && inRun(records, c.prevSealedSeq);
    if (!linked || c.headSeq <= prev.head) {
      return brk('seal-gap', `the seal of seq ${r.seq} does not follow the sealed checkpoint at seq ${prev.seq}`);
    }
    prev = { seq: r.seq, hash: r.hash, head: c.headSeq, dropped: c.dropped };
    count++;
    // A head inside a run (lost after the seal) cannot be tied to the chain: a later seal must cover it.
    if (head !== undefined) anchor = { through: r.seq === c.headSeq + 1n ? r.seq : c.headSeq };
  }
  return { anchor, count, bootId };
}

function checkAnchor(
  records: readonly AuditRecord[],
  known: ReadonlyMap<bigint, Uint8Array>,
  checkpoint: Checkpoint & { readonly bootId?: Uint8Array },
  bootId: Uint8Array | undefined,
  lineAt: (index: number) => number,
): Broken | Anchor {
  const last = records.at(-1);
  const brk = (kind: JournalBreakKind, index: number, detail: string): Broken => ({
    status: 'broken', kind, line: lineAt(index), seq: records[index]?.seq ?? last?.seq ?? 0n, detail,
  });
  if (checkpoint.bootId !== undefined && bootId !== undefined && !sameBytes(checkpoint.bootId, bootId)) {
    return brk('foreign-boot', 0, 'the checkpoint given is of another boot');
  }
  const other = records.findIndex((r) => r.policyVersion !== checkpoint.policyVersion);
  if (other !== -1) return brk('checkpoint-mismatch', other, 'policy version differs from the checkpoint given');
  if (checkpoint.seq === 0n) return { through: 0n };
  const hash = known.get(checkpoint.seq);
  if (hash === undefined) {
    if (last === undefined || last.seq < checkpoint.seq) return brk('truncated', records.length, `the journal ends before the checkpoint's seq ${checkpoint.seq}`);
    return brk('checkpoint-mismatch', records.findIndex((r) => r.seq > checkpoint.seq), `the journal does not tell the hash at the checkpoint's seq ${checkpoint.seq}`);
  }
  if (!sameBytes(hash, checkpoint.hash)) {
    const at = records.findIndex((r) => r.seq >= checkpoint.seq);
    return brk('checkpoint-mismatch', at, `the hash at seq ${checkpoint.seq} differs from the checkpoint given`);
  }
  return { through: checkpoint.seq };
}
