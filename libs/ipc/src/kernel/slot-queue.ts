/**
 * A FIFO over one array that never shrinks it: a head and a tail index move over the slots, a
 * consumed slot is cleared (so nothing stays reachable) and the live part is moved to the front
 * when more than half of the array lies before it. `shift()`, or setting `length = 0`, on the
 * queue the kernel cycles one entry at a time lets V8 drop the backing store, which the next
 * `push` re-allocates: one allocation per message for nothing.
 *
 * @example
 * const q = new SlotQueue<number>();
 * q.push(1);
 * q.push(2);
 * q.shift(); // 1
 * q.length; // 1
 */
export class SlotQueue<T> {
  #slots: (T | undefined)[] = [];
  #head = 0;
  #tail = 0;

  /** Items in the queue. */
  get length(): number {
    return this.#tail - this.#head;
  }

  /** The item `i` places behind the head (`0` is the head); `undefined` past the end. */
  at(i: number): T | undefined {
    const at = this.#head + i;
    return at < this.#tail ? this.#slots[at] : undefined;
  }

  /** Appends `item`. */
  push(item: T): void {
    this.#room();
    this.#put(this.#tail++, item);
  }

  /** Removes and returns the head; `undefined` when empty. */
  shift(): T | undefined {
    if (this.#head === this.#tail) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head++] = undefined;
    if (this.#head === this.#tail) this.#head = this.#tail = 0;
    return item;
  }

  /**
   * Inserts `item` after every item `later` does not put after it (so ties keep insertion order),
   * scanning from the tail: deadlines mostly arrive in order, so the scan usually stops at once.
   */
  insertSorted(item: T, later: (a: T, b: T) => boolean): void {
    this.#room();
    const slots = this.#slots;
    let i = this.#tail;
    while (i > this.#head && later(slots[i - 1]!, item)) i--;
    for (let j = this.#tail; j > i; j--) this.#put(j, slots[j - 1]!);
    this.#put(i, item);
    this.#tail++;
  }

  /** Removes the first occurrence of `item`, keeping the others in order; false if absent. */
  remove(item: T): boolean {
    const slots = this.#slots;
    let i = this.#head;
    while (i < this.#tail && slots[i] !== item) i++;
    if (i === this.#tail) return false;
    for (; i < this.#tail - 1; i++) slots[i] = slots[i + 1];
    slots[--this.#tail] = undefined;
    if (this.#head === this.#tail) this.#head = this.#tail = 0;
    return true;
  }

  /** Keeps only the items `keep` accepts, in order. */
  retain(keep: (item: T) => boolean): void {
    const slots = this.#slots;
    let to = 0;
    for (let i = this.#head; i < this.#tail; i++) {
      const item = slots[i]!;
      if (keep(item)) slots[to++] = item;
    }
    for (let i = to; i < this.#tail; i++) slots[i] = undefined;
    this.#head = 0;
    this.#tail = to;
  }

  /** Every item in order, and the queue empty. */
  drain(): T[] {
    const all: T[] = [];
    for (let i = this.#head; i < this.#tail; i++) all.push(this.#slots[i]!);
    this.#slots = [];
    this.#head = this.#tail = 0;
    return all;
  }

  /** A copy of the items in order. */
  toArray(): T[] {
    return this.#slots.slice(this.#head, this.#tail) as T[];
  }

  /** Before adding at the tail of a full array: reuse the slots before the head once they are the majority. */
  #room(): void {
    if (this.#tail < this.#slots.length || this.#head * 2 < this.#slots.length) return;
    const slots = this.#slots;
    const n = this.#tail - this.#head;
    for (let i = 0; i < n; i++) slots[i] = slots[this.#head + i];
    for (let i = n; i < this.#tail; i++) slots[i] = undefined;
    this.#head = 0;
    this.#tail = n;
  }

  #put(i: number, item: T): void {
    if (i === this.#slots.length) this.#slots.push(item);
    else this.#slots[i] = item;
  }
}
