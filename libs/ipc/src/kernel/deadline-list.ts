import { SlotQueue } from './slot-queue.js';

/**
 * The slot value of an entry that is in no {@link DeadlineList} (new, fired, or cancelled and
 * dropped).
 *
 * @example
 * const entry = { at: 0n, clockSlot: SLOT_IDLE, onClock: () => {} };
 */
export const SLOT_IDLE = 0;
/** Waiting to fire. */
const SLOT_QUEUED = 1;
/** Cancelled, still in the list until it reaches the front or the list is compacted. */
const SLOT_CANCELLED = 2;

/**
 * Where a {@link DeadlineList} keeps its mark on an entry. A kernel object can sit in two lists at
 * once (a call's virtual and real deadlines), each with a field of its own.
 *
 * @example
 * const slot: DeadlineSlot<ClockEntry> = { get: (e) => e.clockSlot, set: (e, v) => { e.clockSlot = v; } };
 */
export interface DeadlineSlot<E> {
  get(entry: E): number;
  set(entry: E, value: number): void;
}

/**
 * Deadlines sorted by due time, ties in arming order (kernel-internal). A cancel only marks its
 * entry, in O(1): the front is always live (cancelled entries are dropped when they reach it) and
 * the list is compacted once cancelled entries are the majority, so memory stays within twice the
 * live deadlines. The one home of this rule for the virtual clock and the real timer.
 *
 * @example
 * const list = new DeadlineList<ClockEntry>((a, b) => a.at > b.at, slot);
 * list.insert(entry); list.cancel(entry); list.pending; // 0
 */
export class DeadlineList<E> {
  readonly #entries = new SlotQueue<E>();
  readonly #dueAfter: (a: E, b: E) => boolean;
  readonly #slot: DeadlineSlot<E>;
  readonly #keepQueued: (entry: E) => boolean;
  #cancelled = 0;

  constructor(dueAfter: (a: E, b: E) => boolean, slot: DeadlineSlot<E>) {
    this.#dueAfter = dueAfter;
    this.#slot = slot;
    this.#keepQueued = (entry) => {
      if (slot.get(entry) === SLOT_QUEUED) return true;
      slot.set(entry, SLOT_IDLE);
      return false;
    };
  }

  /** Live (not fired, not cancelled) deadlines. */
  get pending(): number {
    return this.#entries.length - this.#cancelled;
  }

  /** Whether any entry, live or cancelled, is still held. */
  get empty(): boolean {
    return this.#entries.length === 0;
  }

  /** The earliest live deadline. */
  head(): E | undefined {
    return this.#entries.at(0);
  }

  /** Arms `entry` (not armed now) at its place in due order. */
  insert(entry: E): void {
    this.#entries.insertSorted(entry, this.#dueAfter);
    this.#slot.set(entry, SLOT_QUEUED);
  }

  /** Removes the head (the caller fires it) and drops the cancelled entries that reach the front. */
  shift(): E | undefined {
    const head = this.#entries.shift();
    if (head !== undefined) this.#slot.set(head, SLOT_IDLE);
    this.#dropCancelledHead();
    return head;
  }

  /** Cancels an armed entry; `false` (a no-op) once it fired or was cancelled. */
  cancel(entry: E): boolean {
    if (this.#slot.get(entry) !== SLOT_QUEUED) return false;
    this.#slot.set(entry, SLOT_CANCELLED);
    this.#cancelled++;
    this.#dropCancelledHead();
    if (this.#cancelled * 2 > this.#entries.length) {
      this.#entries.retain(this.#keepQueued);
      this.#cancelled = 0;
    }
    return true;
  }

  #dropCancelledHead(): void {
    const entries = this.#entries;
    for (let head = entries.at(0); head !== undefined && this.#slot.get(head) === SLOT_CANCELLED; head = entries.at(0)) {
      entries.shift();
      this.#slot.set(head, SLOT_IDLE);
      this.#cancelled--;
    }
  }
}
