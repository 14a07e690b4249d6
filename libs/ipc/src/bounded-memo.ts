/**
 * A memo of a pure function over a small, repeating key set (names, capabilities, targets), with
 * bounded memory: at most `capacity` entries, and keys the `admit` test refuses (too long) are
 * computed every time and never kept. When full it starts over (cleared), which costs one miss per
 * key and keeps a hostile stream of distinct keys from growing it or making it slower than no memo.
 *
 * @example
 * const ids = new BoundedMemo(256, serviceIdFromName, (name) => name.length <= 48);
 * ids.get('keystored'); // 0x866cecf1b02a841bn, hashed once
 */
export class BoundedMemo<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;
  readonly #compute: (key: K) => V;
  readonly #admit: (key: K) => boolean;

  constructor(capacity: number, compute: (key: K) => V, admit: (key: K) => boolean = () => true) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`BoundedMemo capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
    this.#compute = compute;
    this.#admit = admit;
  }

  /** The memoized value of `key`, computed (and kept, when admitted) on a miss. */
  get(key: K): V {
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit;
    const value = this.#compute(key);
    if (this.#admit(key)) {
      if (this.#entries.size >= this.#capacity) this.#entries.clear();
      this.#entries.set(key, value);
    }
    return value;
  }

  /** How many entries are held now (at most the capacity). */
  get size(): number {
    return this.#entries.size;
  }
}
