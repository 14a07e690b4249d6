import type { SegmentInfo } from './segment-index.js';

/**
 * One boot's run of records in logd's audit journal: a chain starts again at seq 1 (or below the
 * seq before it) when policyd boots; `bootId` is the boot id its checkpoints name (hex), known once
 * the first checkpoint of the boot was stored.
 *
 * @example
 * const boot: AuditBoot = { ordinal: 0, bootId: 'ab…', firstId: 1n, lastId: 300n, firstSeq: 1n, lastSeq: 300n, records: 300, sealedHeadSeq: 256n };
 */
export interface AuditBoot {
  readonly ordinal: number;
  readonly bootId: string | undefined;
  readonly firstId: bigint;
  readonly lastId: bigint;
  readonly firstSeq: bigint;
  readonly lastSeq: bigint;
  readonly records: number;
  /** The head seq of the newest SEALED checkpoint of this boot (0 when none). */
  readonly sealedHeadSeq: bigint;
}

/** What the tracker needs of an audit record. */
export interface AuditMarkInput {
  readonly seq: bigint;
  /** For a checkpoint record: its boot id, head seq and whether it carries a signature. */
  readonly checkpoint?: { readonly bootId: Uint8Array; readonly headSeq: bigint; readonly sealed: boolean };
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

type MutableBoot = { -readonly [K in keyof AuditBoot]: AuditBoot[K] };

/** Boots kept in the tracker's list, at most (older ones are summarised only by counts). */
const MAX_BOOTS = 1024;

/**
 * Follows the audit journal in id order and splits it into boots, remembering for each the head
 * of its newest sealed checkpoint. `rotate-sealed` deletes a segment only when, for every boot
 * the segment holds records of, its highest seq there is covered by a sealed checkpoint of that
 * boot ({@link AuditBoots.covers}).
 *
 * @example
 * const boots = new AuditBoots();
 * boots.observe(1n, { seq: 1n }); // 0, the first boot's ordinal
 */
export class AuditBoots {
  readonly #boots: MutableBoot[] = [];
  #ordinal = -1;
  #forgotten = 0;

  /**
   * Notes record `id` and returns the ordinal of its boot.
   *
   * @example
   * const boot = boots.observe(entry.id, item);
   */
  observe(id: bigint, r: AuditMarkInput): number {
    const current = this.#boots[this.#boots.length - 1];
    if (current === undefined || r.seq === 1n || r.seq < current.lastSeq) {
      this.#ordinal += 1;
      this.#boots.push({ ordinal: this.#ordinal, bootId: undefined, firstId: id, lastId: id, firstSeq: r.seq, lastSeq: r.seq, records: 1, sealedHeadSeq: 0n });
      if (this.#boots.length > MAX_BOOTS) {
        this.#boots.shift();
        this.#forgotten += 1;
      }
    } else {
      current.lastId = id;
      if (r.seq > current.lastSeq) current.lastSeq = r.seq;
      current.records += 1;
    }
    const boot = this.#boots[this.#boots.length - 1] as MutableBoot;
    const c = r.checkpoint;
    if (c !== undefined) {
      boot.bootId ??= hex(c.bootId);
      if (c.sealed && c.headSeq > boot.sealedHeadSeq) boot.sealedHeadSeq = c.headSeq;
    }
    return this.#ordinal;
  }

  /**
   * True when every record of `segment` is covered by a sealed checkpoint of its boot.
   *
   * @example
   * if (boots.covers(oldest)) deleteSegment(oldest);
   */
  covers(segment: SegmentInfo): boolean {
    if (segment.seqByBoot.size === 0) return segment.count === 0;
    for (const [ordinal, maxSeq] of segment.seqByBoot) {
      const boot = this.#boots.find((b) => b.ordinal === ordinal);
      if (boot === undefined || boot.sealedHeadSeq < maxSeq) return false;
    }
    return true;
  }

  /**
   * The boots seen, oldest first (at most 1024; `forgotten` counts older ones).
   *
   * @example
   * boots.list().map((b) => b.bootId);
   */
  list(): { readonly boots: readonly AuditBoot[]; readonly forgotten: number } {
    return { boots: this.#boots.map((b) => Object.freeze({ ...b })), forgotten: this.#forgotten };
  }
}
