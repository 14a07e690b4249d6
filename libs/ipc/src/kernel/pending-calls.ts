/**
 * A member of a {@link PendingCalls} list: the links live in the member itself.
 *
 * @example
 * const right: PendingLink = { prevPending: undefined, nextPending: undefined, inPending: false };
 */
export interface PendingLink {
  prevPending: PendingLink | undefined;
  nextPending: PendingLink | undefined;
  inPending: boolean;
}

/**
 * One task's calls waiting for a reply, in call order: an intrusive doubly linked list. Adding and
 * removing a call touches only its neighbours and allocates nothing, where a `Set` used as a queue
 * re-allocates its hash table every few add/delete pairs.
 *
 * @example
 * const pending = new PendingCalls<CallRight>();
 * pending.add(right);
 * pending.delete(right);
 * pending.size; // 0
 */
export class PendingCalls<T extends PendingLink> {
  #first: T | undefined;
  #last: T | undefined;
  #size = 0;

  /** Calls in the list. */
  get size(): number {
    return this.#size;
  }

  /** Appends `item` (not in a list yet). */
  add(item: T): void {
    item.prevPending = this.#last;
    item.nextPending = undefined;
    item.inPending = true;
    if (this.#last === undefined) this.#first = item;
    else this.#last.nextPending = item;
    this.#last = item;
    this.#size++;
  }

  /** Removes `item` if it is in this list; otherwise does nothing. */
  delete(item: T): void {
    if (!item.inPending) return;
    item.inPending = false;
    const { prevPending: prev, nextPending: next } = item;
    if (prev === undefined) this.#first = next as T | undefined;
    else prev.nextPending = next;
    if (next === undefined) this.#last = prev as T | undefined;
    else next.prevPending = prev;
    item.prevPending = item.nextPending = undefined;
    this.#size--;
  }

  /** A copy of the members in call order, safe to iterate while they are removed. */
  snapshot(): T[] {
    const all: T[] = [];
    for (let item = this.#first; item !== undefined; item = item.nextPending as T | undefined) all.push(item);
    return all;
  }
}
