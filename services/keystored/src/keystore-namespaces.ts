import { KS_STATUS, type KeystoreStatus } from '@nexus/proto';
import { KeystoredError } from './keystored-error.js';

/**
 * Bounds of the per-caller stores.
 *
 * @example
 * new KeystoreNamespaces({ maxEntriesPerCaller: 8, maxCallers: 4 });
 */
export interface KeystoreNamespaceLimits {
  /** Entries one caller may hold. Default 32. */
  readonly maxEntriesPerCaller?: number;
  /** Callers that may hold entries at the same time. Default 64. */
  readonly maxCallers?: number;
}

/**
 * The outcome of a GET: OK with the stored bytes, or NOT_FOUND.
 *
 * @example
 * const got: KeystoreGetResult = ns.get(caller, 'k');
 * if (got.status === KS_STATUS.OK) use(got.value);
 */
export type KeystoreGetResult =
  | { readonly status: typeof KS_STATUS.OK; readonly value: Uint8Array }
  | { readonly status: typeof KS_STATUS.NOT_FOUND };

function bound(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new KeystoredError('BAD_VALUE', `${what} must be 1..1024`);
  return n;
}

/**
 * Key/value stores, one per caller, keyed by the kernel sender id (the only identity keystored
 * trusts): a caller can reach only its own entries, whatever key it names. Bounded by entries per
 * caller and by callers, so memory stays ≤ callers × entries × (64 + 256) bytes.
 *
 * @example
 * const ns = new KeystoreNamespaces();
 * ns.put(msg.senderServiceId, 'wifi', bytes); // KS_STATUS.OK
 */
export class KeystoreNamespaces {
  readonly #byCaller = new Map<bigint, Map<string, Uint8Array>>();
  readonly #maxEntries: number;
  readonly #maxCallers: number;

  constructor(limits: KeystoreNamespaceLimits = {}) {
    this.#maxEntries = bound(limits.maxEntriesPerCaller, 32, 'maxEntriesPerCaller');
    this.#maxCallers = bound(limits.maxCallers, 64, 'maxCallers');
  }

  /**
   * Stores a copy of `value` under `key` for `caller`. KEY_EXISTS when the key is taken (no silent
   * overwrite: DEL first); TOO_LARGE when the caller's store, or the table of callers, is full.
   *
   * @example
   * ns.put(caller, 'k', Uint8Array.of(1)); // KS_STATUS.OK
   */
  put(caller: bigint, key: string, value: Uint8Array): KeystoreStatus {
    let entries = this.#byCaller.get(caller);
    if (entries === undefined) {
      if (this.#byCaller.size >= this.#maxCallers) return KS_STATUS.TOO_LARGE;
      entries = new Map();
      this.#byCaller.set(caller, entries);
    }
    if (entries.has(key)) return KS_STATUS.KEY_EXISTS;
    if (entries.size >= this.#maxEntries) return KS_STATUS.TOO_LARGE;
    entries.set(key, value.slice());
    return KS_STATUS.OK;
  }

  /**
   * Reads a copy of the value `caller` stored under `key`.
   *
   * @example
   * ns.get(caller, 'k'); // { status: KS_STATUS.OK, value }
   */
  get(caller: bigint, key: string): KeystoreGetResult {
    const value = this.#byCaller.get(caller)?.get(key);
    return value === undefined ? { status: KS_STATUS.NOT_FOUND } : { status: KS_STATUS.OK, value: value.slice() };
  }

  /**
   * Removes `key` from `caller`'s store; an emptied store frees its caller slot.
   *
   * @example
   * ns.del(caller, 'k'); // KS_STATUS.OK, then KS_STATUS.NOT_FOUND
   */
  del(caller: bigint, key: string): KeystoreStatus {
    const entries = this.#byCaller.get(caller);
    if (entries?.delete(key) !== true) return KS_STATUS.NOT_FOUND;
    if (entries.size === 0) this.#byCaller.delete(caller);
    return KS_STATUS.OK;
  }
}
