/**
 * Where a recent record ended up, as far as the sink knows.
 *
 * @example
 * const where: RecordPlace = 'primary';
 */
export type RecordPlace = 'in-flight' | 'primary' | 'uart' | 'lost' | 'evicted';

const PLACES: readonly RecordPlace[] = ['in-flight', 'primary', 'uart', 'lost', 'evicted'];

/**
 * What the ring knows about one recent seq.
 *
 * @example
 * const entry: RecentRecord | undefined = recent.get(41n); entry?.hash;
 */
export interface RecentRecord {
  readonly seq: bigint;
  readonly prevHash: Uint8Array;
  readonly hash: Uint8Array;
  readonly decision: boolean;
  readonly place: RecordPlace;
}

/**
 * A bounded ring of the last `capacity` sealed records: seq → prevHash, hash, kind and place. It is
 * the sink's own memory of hashes, so a loss or eviction declaration bridges the chain with hashes
 * policyd computed itself, never with ones a store reports. Constant memory (`capacity` entries).
 *
 * @example
 * const recent = new RecentRecords(4096); recent.put(record, 'in-flight'); recent.get(record.seq)?.place; // 'in-flight'
 */
export class RecentRecords {
  readonly #capacity: number;
  readonly #seqs: (bigint | undefined)[];
  readonly #prev: Uint8Array[];
  readonly #hash: Uint8Array[];
  readonly #meta: Uint8Array;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#seqs = new Array<bigint | undefined>(capacity).fill(undefined);
    this.#prev = new Array<Uint8Array>(capacity);
    this.#hash = new Array<Uint8Array>(capacity);
    this.#meta = new Uint8Array(capacity);
  }

  /** Remembers a sealed record (overwriting the oldest entry). */
  put(record: { readonly seq: bigint; readonly prevHash: Uint8Array; readonly hash: Uint8Array; readonly kind: string }, place: RecordPlace): void {
    if (this.#capacity === 0) return;
    const i = Number(record.seq % BigInt(this.#capacity));
    this.#seqs[i] = record.seq;
    this.#prev[i] = record.prevHash;
    this.#hash[i] = record.hash;
    this.#meta[i] = (record.kind === 'decision' ? 8 : 0) | PLACES.indexOf(place);
  }

  /** Records where a remembered seq ended up (no-op for a seq the ring no longer holds). */
  place(seq: bigint, place: RecordPlace): void {
    const i = this.#index(seq);
    if (i !== undefined) this.#meta[i] = ((this.#meta[i] as number) & 8) | PLACES.indexOf(place);
  }

  /** What the ring holds for `seq`, if it still does. */
  get(seq: bigint): RecentRecord | undefined {
    const i = this.#index(seq);
    if (i === undefined) return undefined;
    const meta = this.#meta[i] as number;
    return {
      seq, prevHash: this.#prev[i] as Uint8Array, hash: this.#hash[i] as Uint8Array,
      decision: (meta & 8) !== 0, place: PLACES[meta & 7] as RecordPlace,
    };
  }

  #index(seq: bigint): number | undefined {
    if (this.#capacity === 0 || seq < 1n) return undefined;
    const i = Number(seq % BigInt(this.#capacity));
    return this.#seqs[i] === seq ? i : undefined;
  }
}
