/**
 * The two bounds of one journal. Both hold at all times; an append that would break either evicts
 * the oldest records first (drop-oldest), so logging never stops.
 *
 * @example
 * const bounds: JournalBounds = { maxRecords: 4096, maxBytes: 2 * 1024 * 1024 };
 */
export interface JournalBounds {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

/**
 * The counters of one journal. `total` and `dropped` count since boot and only grow;
 * `total - dropped === count` holds at all times.
 *
 * @example
 * const { total, dropped, count }: JournalStats = journal.stats();
 */
export interface JournalStats {
  /** Records ever appended (the id of the newest record). */
  readonly total: bigint;
  /** Records evicted to respect a bound. */
  readonly dropped: bigint;
  /** Most records ever held at once. */
  readonly highWater: number;
  /** Records held now. */
  readonly count: number;
  /** Accounted bytes held now. */
  readonly bytes: number;
}

/**
 * One stored record: its id (contiguous from 1 within its journal), what was stored and the bytes
 * it is accounted for.
 *
 * @example
 * const entry: JournalEntry<string> = journal.append('hello', 5);
 */
export interface JournalEntry<T> {
  readonly id: bigint;
  readonly item: T;
  readonly size: number;
}

/**
 * A bounded ring of records with drop-oldest eviction. Ids are assigned here, contiguous from 1, so
 * the records held are always the ids `total - count + 1 .. total` and a cursor maps to a slot in
 * O(1). There is no lifetime cap: counters grow, memory does not.
 *
 * @example
 * const journal = new Journal<string>({ maxRecords: 2, maxBytes: 100 });
 * journal.append('a', 1); journal.append('b', 1); journal.append('c', 1);
 * journal.stats(); // { total: 3n, dropped: 1n, highWater: 2, count: 2, bytes: 2 }
 */
export class Journal<T> {
  readonly #bounds: JournalBounds;
  readonly #slots: (JournalEntry<T> | undefined)[];
  #head = 0;
  #count = 0;
  #bytes = 0;
  #total = 0n;
  #dropped = 0n;
  #highWater = 0;

  constructor(bounds: JournalBounds) {
    this.#bounds = bounds;
    this.#slots = new Array<JournalEntry<T> | undefined>(bounds.maxRecords).fill(undefined);
  }

  /** The bounds this journal was built with. */
  get bounds(): JournalBounds {
    return this.#bounds;
  }

  /**
   * Stores `item`, accounted as `size` bytes, evicting the oldest records until both bounds hold.
   * The caller guarantees `size <= maxBytes` (logd checks every field bound before appending).
   *
   * @example
   * const { id } = journal.append(record, 120);
   */
  append(item: T, size: number): JournalEntry<T> {
    while (this.#count > 0 && (this.#count >= this.#bounds.maxRecords || this.#bytes + size > this.#bounds.maxBytes)) {
      this.#evictOldest();
    }
    this.#total += 1n;
    const entry: JournalEntry<T> = Object.freeze({ id: this.#total, item, size });
    this.#slots[(this.#head + this.#count) % this.#bounds.maxRecords] = entry;
    this.#count += 1;
    this.#bytes += size;
    this.#highWater = Math.max(this.#highWater, this.#count);
    return entry;
  }

  #evictOldest(): void {
    const oldest = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#bounds.maxRecords;
    this.#count -= 1;
    this.#bytes -= oldest?.size ?? 0;
    this.#dropped += 1n;
  }

  /**
   * The newest record, if any.
   *
   * @example
   * journal.last()?.id;
   */
  last(): JournalEntry<T> | undefined {
    return this.#count === 0 ? undefined : this.#slots[(this.#head + this.#count - 1) % this.#bounds.maxRecords];
  }

  /**
   * Visits the records with an id greater than `afterId`, oldest first, until `visit` returns
   * `false`. Records evicted meanwhile are simply no longer there; the walk starts at the oldest
   * record still held.
   *
   * @example
   * journal.scan(0n, (entry) => { out.push(entry); return out.length < 10; });
   */
  scan(afterId: bigint, visit: (entry: JournalEntry<T>) => boolean): void {
    const firstId = this.#total - BigInt(this.#count) + 1n;
    const skip = afterId < firstId ? 0 : afterId - firstId + 1n;
    for (let i = Number(skip < BigInt(this.#count) ? skip : BigInt(this.#count)); i < this.#count; i++) {
      const entry = this.#slots[(this.#head + i) % this.#bounds.maxRecords];
      if (entry !== undefined && !visit(entry)) return;
    }
  }

  /**
   * A snapshot of the counters.
   *
   * @example
   * journal.stats().dropped;
   */
  stats(): JournalStats {
    return Object.freeze({
      total: this.#total,
      dropped: this.#dropped,
      highWater: this.#highWater,
      count: this.#count,
      bytes: this.#bytes,
    });
  }
}
