/**
 * An endpoint's bounded queue, shared fairly among its senders: one FIFO sub-queue per sender,
 * served round robin, and no sender may hold more than `perSender` of the `depth` slots. A
 * flooding sender therefore fills only its own share (it gets `QUEUE_FULL` itself) and waits its
 * turn behind every other sender, one message per round; a sender alone keeps FIFO order.
 *
 * @example
 * const q = new FairQueue<string, number>(8, 4);
 * q.room('a'); // 'ok'
 * q.push('a', 1);
 * q.take(() => true); // 1
 */
export class FairQueue<S, M> {
  readonly depth: number;
  readonly perSender: number;
  /** Insertion order of the map is the round-robin order: a served sender moves to the end. */
  readonly #bySender = new Map<S, M[]>();
  /** The last sub-queue that ran empty, reused for the next new sender: one call at a time allocates none. */
  #spare: M[] | undefined;
  #size = 0;

  constructor(depth: number, perSender: number) {
    this.depth = depth;
    this.perSender = perSender;
  }

  /** Messages waiting, over all senders. */
  get size(): number {
    return this.#size;
  }

  /**
   * Whether `sender` may queue one more: `'full'` (all `depth` slots taken), `'share'` (this sender
   * holds its `perSender` slots already) or `'ok'`.
   */
  room(sender: S): 'ok' | 'full' | 'share' {
    if (this.#size >= this.depth) return 'full';
    if ((this.#bySender.get(sender)?.length ?? 0) >= this.perSender) return 'share';
    return 'ok';
  }

  /** Queues `msg` behind `sender`'s earlier messages; the caller checked {@link room} first. */
  push(sender: S, msg: M): void {
    const own = this.#bySender.get(sender);
    if (own !== undefined) own.push(msg);
    else {
      const fresh = this.#spare ?? [];
      this.#spare = undefined;
      fresh.push(msg);
      this.#bySender.set(sender, fresh);
    }
    this.#size++;
  }

  /**
   * Removes and returns the next message: the head of the first sender's sub-queue, in round-robin
   * order, that `ready` accepts (a held-back head blocks only its own sender). `undefined` if none.
   */
  take(ready: (msg: M) => boolean): M | undefined {
    for (const [sender, own] of this.#bySender) {
      const head = own[0];
      if (head === undefined || !ready(head)) continue;
      own.shift();
      this.#size--;
      if (own.length === 0) {
        this.#bySender.delete(sender);
        this.#spare = own;
      } else if (this.#bySender.size > 1) {
        // To the end of the round; a sender alone is there already.
        this.#bySender.delete(sender);
        this.#bySender.set(sender, own);
      }
      return head;
    }
    return undefined;
  }

  /** Removes and returns every waiting message (the endpoint closed). */
  drain(): M[] {
    const all = [...this.#bySender.values()].flat();
    this.#bySender.clear();
    this.#size = 0;
    return all;
  }
}
