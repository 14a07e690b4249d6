// One shared scratch word: writing a BigInt into a BigUint64Array and reading it back as two 32-bit
// numbers is, in this V8, the only way to get numbers out of a BigInt without allocating (`Number`,
// `&`, `>>` and `BigInt.asUintN` all allocate). The word order depends on the platform's endianness,
// which does not matter: building and lookup use the same view.
const SCRATCH = new BigUint64Array(1);
const WORDS = new Uint32Array(SCRATCH.buffer);

/**
 * An immutable open-addressing hash table keyed by u64 ids that never hashes a BigInt: V8 rehashes a
 * BigInt `Map` key from its digits on every lookup, which alone costs more than a whole string-keyed
 * lookup. Here the id is split into two 32-bit numbers through a typed array, hashed with `Math.imul`
 * and compared as numbers; a final `===` on the BigInt rejects ids outside u64, which the typed array
 * wraps modulo 2^64. A lookup allocates nothing.
 *
 * @example
 * const table = new SubjectTable([[0x866cecf1b02a841bn, 'keystored']]);
 * table.get(0x866cecf1b02a841bn); // 'keystored'
 * table.get(0x866cecf1b02a841bn + (1n << 64n)); // undefined
 */
export class SubjectTable<T> {
  readonly #shift: number;
  readonly #mask: number;
  readonly #low: Uint32Array;
  readonly #high: Uint32Array;
  /** `undefined` marks an empty slot; at least half the slots are empty, so every probe ends. */
  readonly #ids: (bigint | undefined)[];
  readonly #values: (T | undefined)[];

  /** `entries` are u64 ids; a repeated id keeps its last value. */
  constructor(entries: Iterable<readonly [bigint, T]>) {
    const list = [...entries];
    let bits = 1;
    while (1 << bits < list.length * 2) bits++;
    this.#shift = 32 - bits;
    this.#mask = (1 << bits) - 1;
    this.#low = new Uint32Array(1 << bits);
    this.#high = new Uint32Array(1 << bits);
    this.#ids = new Array<bigint | undefined>(1 << bits).fill(undefined);
    this.#values = new Array<T | undefined>(1 << bits).fill(undefined);
    for (const [id, value] of list) {
      const slot = this.#find(id);
      this.#low[slot] = WORDS[0];
      this.#high[slot] = WORDS[1];
      this.#ids[slot] = id;
      this.#values[slot] = value;
    }
    Object.freeze(this);
  }

  /** The value stored for `id`; `undefined` for any other id, a non-bigint included. */
  get(id: bigint): T | undefined {
    if (typeof id !== 'bigint') return undefined;
    const slot = this.#find(id);
    return this.#ids[slot] === id ? this.#values[slot] : undefined;
  }

  /** The slot holding `id`'s 64 bits modulo 2^64, or the empty slot where they would go; leaves them in WORDS. */
  #find(id: bigint): number {
    SCRATCH[0] = id;
    const low = WORDS[0];
    const high = WORDS[1];
    let slot = Math.imul(low ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1) >>> this.#shift;
    while (this.#ids[slot] !== undefined && (this.#low[slot] !== low || this.#high[slot] !== high)) {
      slot = (slot + 1) & this.#mask;
    }
    return slot;
  }
}
