import type { JournalEntry } from './journal.js';

/**
 * The read cache of a durable journal: the newest `capacity` records already on disk, with the
 * ids the disk gave them (increasing, not necessarily contiguous: a corrupt record leaves a hole).
 * Eviction here loses nothing; the record is still on disk.
 *
 * @example
 * const cache = new RecordCache<string>(2);
 * cache.push({ id: 1n, item: 'a', size: 1 }); cache.push({ id: 3n, item: 'b', size: 1 });
 * cache.firstId; // 1n
 */
export class RecordCache<T> {
  readonly #slots: (JournalEntry<T> | undefined)[];
  #head = 0;
  #count = 0;

  constructor(capacity: number) {
    this.#slots = new Array<JournalEntry<T> | undefined>(capacity).fill(undefined);
  }

  /** The oldest id held, or `undefined` when empty. */
  get firstId(): bigint | undefined {
    return this.#count === 0 ? undefined : this.#at(0).id;
  }

  /**
   * Adds the newest record (its id must be above every id held), evicting the oldest when full.
   *
   * @example
   * cache.push(entry);
   */
  push(entry: JournalEntry<T>): void {
    const cap = this.#slots.length;
    if (this.#count === cap) {
      this.#slots[this.#head] = undefined;
      this.#head = (this.#head + 1) % cap;
      this.#count -= 1;
    }
    this.#slots[(this.#head + this.#count) % cap] = entry;
    this.#count += 1;
  }

  /**
   * Forgets every record with an id up to `id` (their segment was deleted).
   *
   * @example
   * cache.dropThrough(120n);
   */
  dropThrough(id: bigint): void {
    while (this.#count > 0 && this.#at(0).id <= id) {
      this.#slots[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#slots.length;
      this.#count -= 1;
    }
  }

  /**
   * Visits the records with an id above `afterId`, oldest first, until `visit` returns `false`;
   * returns `false` when the walk was stopped.
   *
   * @example
   * cache.scan(0n, (e) => { out.push(e); return true; });
   */
  scan(afterId: bigint, visit: (entry: JournalEntry<T>) => boolean): boolean {
    let lo = 0;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#at(mid).id <= afterId) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.#count; i++) if (!visit(this.#at(i))) return false;
    return true;
  }

  #at(i: number): JournalEntry<T> {
    return this.#slots[(this.#head + i) % this.#slots.length] as JournalEntry<T>;
  }
}
