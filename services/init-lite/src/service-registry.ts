import { isServiceName, serviceIdFromName, type SendCap } from '@nexus/ipc';
import { InitLiteError } from './init-lite-error.js';

/** Most services one init-lite routes to; `register` beyond it is `LIMIT_REACHED`. */
export const MAX_REGISTERED_SERVICES = 64;

function idOf(name: string): bigint {
  if (!isServiceName(name)) {
    throw new InitLiteError('BAD_VALUE', 'a service name must be 1..48 bytes of [a-z0-9._-]');
  }
  return serviceIdFromName(name);
}

/**
 * init-lite's boot-time table of send rights, one per service, keyed by service id. It holds no
 * policy: whether a caller may have a copy is policyd's question, asked before `lookup`.
 *
 * @example
 * const registry = new ServiceRegistry();
 * registry.register('logd', logdCap);
 * registry.lookup('logd'); // logdCap
 */
export class ServiceRegistry {
  readonly #rights = new Map<bigint, SendCap>();

  /**
   * Records the right init-lite holds to `name`. Throws `InitLiteError`: `BAD_VALUE` for a
   * non-canonical name, `ALREADY_REGISTERED` for a name registered twice, `LIMIT_REACHED` for a full table.
   *
   * @example
   * registry.register('keystored', kernel.grant(keystored.endpoint, initLite.task));
   */
  register(name: string, cap: SendCap): void {
    const id = idOf(name);
    if (this.#rights.has(id)) throw new InitLiteError('ALREADY_REGISTERED', `service ${name} is already registered`);
    if (this.#rights.size >= MAX_REGISTERED_SERVICES) {
      throw new InitLiteError('LIMIT_REACHED', `at most ${MAX_REGISTERED_SERVICES} services`);
    }
    this.#rights.set(id, cap);
  }

  /**
   * Swaps the right held to `name` for `cap` (a restarted service has a new endpoint). The old right
   * leaves the table, so no later `lookup` can hand out a copy of it. Returns that old right when no
   * entry refers to it any more (the caller may release it), or `undefined` when it is still in use
   * (`cap` itself, or the same handle registered under another name). Throws `InitLiteError`:
   * `BAD_VALUE` for a non-canonical name, `NOT_REGISTERED` for a name never registered (a replace must not
   * add a service behind the boot list's back).
   *
   * @example
   * const stale = registry.replace('logd', kernel.grant(newLogd.endpoint, initLite.task));
   * if (stale !== undefined) initLite.task.release(stale);
   */
  replace(name: string, cap: SendCap): SendCap | undefined {
    const id = idOf(name);
    const old = this.#rights.get(id);
    if (old === undefined) throw new InitLiteError('NOT_REGISTERED', `service ${name} is not registered`);
    this.#rights.set(id, cap);
    for (const held of this.#rights.values()) if (held === old) return undefined;
    return old;
  }

  /**
   * The right held to `name`, or `undefined` when no such service was registered.
   *
   * @example
   * registry.lookup('nosuch'); // undefined
   */
  lookup(name: string): SendCap | undefined {
    return this.#rights.get(serviceIdFromName(name));
  }
}
