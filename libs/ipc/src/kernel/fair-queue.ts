import { SlotQueue } from './slot-queue.js';

/** One sender's FIFO in a {@link FairQueue}, linked into the round robin while it holds messages. */
interface Lane<S, M> {
  readonly sender: S;
  readonly items: SlotQueue<M>;
  prev: Lane<S, M> | undefined;
  next: Lane<S, M> | undefined;
  /** Holds messages and is linked into the round robin. */
  active: boolean;
}

/**
 * Lanes kept after they ran empty, so a sender that sends again (the usual case) finds its lane
 * and no map entry is deleted and re-added per message; past this many they are swept, so lanes of
 * senders that went away cannot pile up.
 */
const MAX_IDLE_LANES = 16;

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
  /** Every lane with messages, and up to `MAX_IDLE_LANES` without. */
  readonly #lanes = new Map<S, Lane<S, M>>();
  /** The round robin: lanes with messages, a served sender moved to the end. */
  #first: Lane<S, M> | undefined;
  #last: Lane<S, M> | undefined;
  #idle = 0;
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
    if ((this.#lanes.get(sender)?.items.length ?? 0) >= this.perSender) return 'share';
    return 'ok';
  }

  /** Queues `msg` behind `sender`'s earlier messages; the caller checked {@link room} first. */
  push(sender: S, msg: M): void {
    let lane = this.#lanes.get(sender);
    if (lane === undefined) {
      lane = { sender, items: new SlotQueue<M>(), prev: undefined, next: undefined, active: false };
      this.#lanes.set(sender, lane);
    } else if (!lane.active) {
      this.#idle--;
    }
    lane.items.push(msg);
    if (!lane.active) this.#link(lane);
    this.#size++;
  }

  /**
   * Removes and returns the next message: the head of the first sender's sub-queue, in round-robin
   * order, that `ready` accepts (a held-back head blocks only its own sender). `undefined` if none.
   */
  take(ready: (msg: M) => boolean): M | undefined {
    for (let lane = this.#first; lane !== undefined; lane = lane.next) {
      const head = lane.items.at(0)!;
      if (!ready(head)) continue;
      lane.items.shift();
      this.#size--;
      if (lane.items.length === 0) {
        this.#unlink(lane);
        if (++this.#idle > MAX_IDLE_LANES) this.#sweep();
      } else if (lane !== this.#last) {
        // To the end of the round; the last lane (a sender alone) is there already.
        this.#unlink(lane);
        this.#link(lane);
      }
      return head;
    }
    return undefined;
  }

  /** Removes and returns every waiting message (the endpoint closed), in round-robin order. */
  drain(): M[] {
    const all: M[] = [];
    for (let lane = this.#first; lane !== undefined; lane = lane.next) all.push(...lane.items.drain());
    this.#lanes.clear();
    this.#first = this.#last = undefined;
    this.#idle = 0;
    this.#size = 0;
    return all;
  }

  #link(lane: Lane<S, M>): void {
    lane.active = true;
    lane.prev = this.#last;
    lane.next = undefined;
    if (this.#last === undefined) this.#first = lane;
    else this.#last.next = lane;
    this.#last = lane;
  }

  #unlink(lane: Lane<S, M>): void {
    lane.active = false;
    if (lane.prev === undefined) this.#first = lane.next;
    else lane.prev.next = lane.next;
    if (lane.next === undefined) this.#last = lane.prev;
    else lane.next.prev = lane.prev;
    lane.prev = lane.next = undefined;
  }

  #sweep(): void {
    for (const [sender, lane] of this.#lanes) if (!lane.active) this.#lanes.delete(sender);
    this.#idle = 0;
  }
}
