import { decodeRecord, sameBytes, verifyChain, type AuditRecord, type Checkpoint, type VerifyResult } from '@nexus/audit';
import { LO_JOURNAL, type LogClient } from '@nexus/proto';

/**
 * A hook that may change the bytes of a record read back from logd before it is decoded: tests use
 * it to tamper with the journal and prove the chain check fails.
 *
 * @example
 * const flip: RecordTamper = (index, bytes) => (index === 2 ? bytes.map((b, i) => (i === 20 ? b ^ 1 : b)) : bytes);
 */
export type RecordTamper = (index: number, bytes: Uint8Array) => Uint8Array;

/**
 * The outcome of one read-back: the records that are new since the previous read (seq order), or
 * what went wrong, said without any record content.
 *
 * @example
 * const read: ReadOutcome = { ok: false, cause: 'logd refused the audit query' };
 */
export type ReadOutcome = { readonly ok: true; readonly fresh: readonly AuditRecord[] } | { readonly ok: false; readonly cause: string };

const PAGE = 64;
const MAX_PAGES = 1024;

/**
 * The selftest client's copy of the audit trail, read back through logd QUERY on the audit journal
 * (which only policyd's kernel identity can append to) and merged with records taken from the UART
 * while logd was down. Each read asks only for records past the highest seq already held, so "new
 * since the previous read" is an exact seq window.
 *
 * @example
 * const reader = new AuditReader();
 * const read = await reader.readNew(log);
 * reader.verify(policyd.checkpoint());
 */
export class AuditReader {
  readonly #bySeq = new Map<bigint, AuditRecord[]>();
  readonly #tamper: RecordTamper | undefined;
  #index = 0;
  #last = 0n;
  #unreadable = 0;

  constructor(tamper?: RecordTamper) {
    this.#tamper = tamper;
  }

  /** Highest seq held. */
  get lastSeq(): bigint {
    return this.#last;
  }

  /**
   * Reads every audit record past {@link AuditReader.lastSeq} (up to `toSeq` when given), page by page.
   *
   * @example
   * const read = await reader.readNew(log);
   * if (read.ok) read.fresh.length;
   */
  async readNew(log: LogClient, toSeq = 0n): Promise<ReadOutcome> {
    const fromSeq = this.#last + 1n;
    const fresh: AuditRecord[] = [];
    let cursor = 0n;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await log.query({ journal: LO_JOURNAL.AUDIT, fromSeq, toSeq, cursor, maxCount: PAGE });
      if (out.status !== 'ok') return { ok: false, cause: `logd answered the audit query with ${out.status}` };
      for (const bytes of out.records) {
        const record = this.#decode(bytes);
        if (record !== undefined) fresh.push(record);
      }
      if (out.nextCursor === 0n) {
        this.add(fresh);
        return { ok: true, fresh };
      }
      cursor = out.nextCursor;
    }
    return { ok: false, cause: 'the audit journal did not end' };
  }

  /**
   * Adds records from another source (the UART), keeping seq order; an exact duplicate is kept once.
   *
   * @example
   * reader.add(uartLines.map(parseRecordLine));
   */
  add(records: readonly AuditRecord[]): void {
    for (const record of records) {
      const held = this.#bySeq.get(record.seq) ?? [];
      if (!held.some((r) => sameBytes(r.hash, record.hash))) held.push(record);
      this.#bySeq.set(record.seq, held);
      if (record.seq > this.#last) this.#last = record.seq;
    }
  }

  /**
   * Every record held, in seq order (at most `toSeq` when given).
   *
   * @example
   * writeJournal(reader.records(cp.seq), cp);
   */
  records(toSeq?: bigint): readonly AuditRecord[] {
    const seqs = [...this.#bySeq.keys()].filter((s) => toSeq === undefined || s <= toSeq).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const held = seqs.flatMap((s) => this.#bySeq.get(s) ?? []);
    // logd forgot what a declared eviction covers; a copy kept from before cannot be tied to the
    // chain any more (the records after it in the run are gone), and a verifier refuses every
    // record inside a declared run: the copy keeps what logd keeps.
    const evicted = held.filter((r) => r.kind === 'audit-evicted' && r.lost !== undefined && (toSeq === undefined || r.seq <= toSeq)).map((r) => r.lost!);
    if (evicted.length === 0) return held;
    return held.filter((r) => !evicted.some((run) => run.fromSeq <= r.seq && r.seq <= run.toSeq));
  }

  /**
   * Verifies everything held (up to the checkpoint's seq, against it, when given). A record that did
   * not decode fails the check.
   *
   * @example
   * const result = reader.verify(); // { ok: true, ... } or the first break
   */
  verify(checkpoint?: Checkpoint): VerifyResult | { readonly ok: false; readonly kind: 'unreadable' } {
    if (this.#unreadable > 0) return { ok: false, kind: 'unreadable' };
    return verifyChain(this.records(checkpoint?.seq), checkpoint);
  }

  #decode(bytes: Uint8Array): AuditRecord | undefined {
    const input = this.#tamper === undefined ? bytes : this.#tamper(this.#index, bytes);
    this.#index++;
    try {
      return decodeRecord(input);
    } catch {
      this.#unreadable++;
      return undefined;
    }
  }
}
