import type { SendCap } from '../cap.js';
import { IpcError } from '../ipc-error.js';
import { IPC_LIMITS } from '../ipc-limits.js';
import type { CapHandle, CapRecord, EndpointState, TaskState } from './kernel-state.js';

/**
 * The kernel's capability table: every live right, bound to its holder, and the two bounds on a
 * task's table — `maxCapsPerTask` in all, and the share other tasks' messages may fill
 * (`maxInboundCapsPerSender` each, `maxInboundCaps` together). A handle is an opaque frozen object;
 * only this table knows what it reaches, so a forged, moved or released handle is `NO_RIGHT`.
 *
 * @example
 * const table = new CapTable();
 * const cap = table.mint(owner, endpoint, 'send');
 * table.held(owner, cap, 'send').endpoint === endpoint; // true
 */
export class CapTable {
  readonly #caps = new WeakMap<object, CapRecord>();

  /** The record of a live right, `undefined` for anything else (a forged, moved or released handle). */
  record(cap: unknown): CapRecord | undefined {
    return typeof cap === 'object' && cap !== null ? this.#caps.get(cap) : undefined;
  }

  /** The record of a `kind` right `holder` holds; otherwise `NO_RIGHT`. */
  held(holder: TaskState, cap: unknown, kind: 'send' | 'recv'): CapRecord {
    const record = this.record(cap);
    if (record === undefined || record.holder !== holder || record.kind !== kind) {
      throw new IpcError('NO_RIGHT', `${holder.name} holds no such ${kind} right`);
    }
    return record;
  }

  /** The endpoint a live right of either kind reaches (fault injection); otherwise `NO_RIGHT`. */
  anyEndpoint(cap: unknown): EndpointState {
    const record = this.record(cap);
    if (record === undefined) throw new IpcError('NO_RIGHT', 'not a live right of this kernel');
    return record.endpoint;
  }

  /** `LIMIT_REACHED` unless `holder` can take `n` more rights. */
  checkRoom(holder: TaskState, n: number): void {
    if (holder.caps.size + n > IPC_LIMITS.maxCapsPerTask) {
      throw new IpcError('LIMIT_REACHED', `${holder.name} holds ${IPC_LIMITS.maxCapsPerTask} rights already`);
    }
  }

  /**
   * Whether `to` may take one more right from `from`'s message: no sender may fill more than
   * `maxInboundCapsPerSender` of another task's table, and all senders together no more than
   * `maxInboundCaps`, so a server always keeps room for rights of its own.
   */
  checkInbound(to: TaskState, from: TaskState): void {
    if (to === from) return;
    if ((to.inbound.get(from) ?? 0) >= IPC_LIMITS.maxInboundCapsPerSender) {
      throw new IpcError('LIMIT_REACHED', `${to.name} holds ${IPC_LIMITS.maxInboundCapsPerSender} rights from ${from.name} already`);
    }
    if (to.inboundTotal >= IPC_LIMITS.maxInboundCaps) {
      throw new IpcError('LIMIT_REACHED', `${to.name} holds ${IPC_LIMITS.maxInboundCaps} rights from others already`);
    }
  }

  /** A new handle for `holder`; `origin` is the sender whose message brings it (counted in its share). */
  mint(holder: TaskState, endpoint: EndpointState, kind: 'send' | 'recv', origin?: TaskState): CapHandle {
    const handle: CapHandle = Object.freeze(kind === 'send' ? { kind: 'send' as const } : { kind: 'recv' as const });
    const counted = origin !== undefined && origin !== holder ? origin : undefined;
    this.#caps.set(handle, { kind, endpoint, holder, origin: counted });
    holder.caps.add(handle);
    if (counted !== undefined) {
      holder.inbound.set(counted, (holder.inbound.get(counted) ?? 0) + 1);
      holder.inboundTotal++;
    }
    return handle;
  }

  /** Kills a handle and frees its slot (and its sender's share); a dead handle is a no-op. */
  revoke(cap: CapHandle): void {
    const record = this.#caps.get(cap);
    if (record === undefined) return;
    this.#caps.delete(cap);
    const { holder, origin } = record;
    holder.caps.delete(cap);
    if (origin !== undefined) {
      const left = (holder.inbound.get(origin) ?? 1) - 1;
      if (left > 0) holder.inbound.set(origin, left);
      else holder.inbound.delete(origin);
      holder.inboundTotal--;
    }
  }

  /**
   * Moves a held send right to `to`: the old handle dies, `to` gets a fresh one. `origin` is the
   * sender when the right travels with a message (counted against its share of `to`'s table).
   */
  move(cap: SendCap, to: TaskState, origin?: TaskState): SendCap {
    const record = this.#caps.get(cap)!;
    this.revoke(cap);
    return this.mint(to, record.endpoint, 'send', origin) as SendCap;
  }
}
