import type { SendCap, Task } from '@nexus/ipc';
import { BundleClient, ExecClient, RouteClient, type RouteOutcome, KeystoreClient, LogClient, type Transport } from '@nexus/proto';
import { PolicyProbe } from './policy-probe.js';

/** How long the client waits for any one reply, in ms. */
export const CLIENT_TIMEOUT_MS = 1000;

/**
 * The `selftest-client` task: it starts with a single right (its channel to init-lite) and reaches
 * every other service through `RouteClient.route(name)`, like any other service. Routes are asked
 * once and kept; a refused route is a value, so a phase can fail its marker instead of crashing.
 *
 * @example
 * const client = new SelftestClient(system.client, system.clientRouter);
 * const policy = await client.policy(); // PolicyProbe, or undefined when the route was refused
 */
export class SelftestClient {
  readonly task: Task;
  readonly #router: RouteClient;
  readonly #rights = new Map<string, SendCap>();
  readonly #policy = new Map<SendCap, PolicyProbe>();
  readonly #log = new Map<SendCap, LogClient>();

  constructor(task: Task, router: SendCap) {
    this.task = task;
    this.#router = new RouteClient(task, router, { timeoutMs: CLIENT_TIMEOUT_MS });
  }

  /**
   * Asks init-lite for a route, without keeping it (every call is a new question to policyd).
   *
   * @example
   * (await client.askRoute('keystored')).status; // 'ok'
   */
  askRoute(name: string): Promise<RouteOutcome> {
    return this.#router.route(name);
  }

  /**
   * The client's right to `name`: routed once through init-lite, then kept.
   *
   * @example
   * const cap = await client.right('logd'); // undefined if init-lite refused
   */
  async right(name: string): Promise<SendCap | undefined> {
    const kept = this.#rights.get(name);
    if (kept !== undefined) return kept;
    const out = await this.#router.route(name);
    if (out.status !== 'ok') return undefined;
    this.#rights.set(name, out.cap);
    return out.cap;
  }

  /**
   * Drops the kept right to `name` (its service was restarted, so the right leads to a closed
   * endpoint): the next use routes through init-lite again, which asks policyd first.
   *
   * @example
   * system.respawnLogd();
   * client.forget('logd');
   * const log = await client.log(); // a new route to the new logd
   */
  forget(name: string): void {
    const cap = this.#rights.get(name);
    if (cap === undefined) return;
    this.#rights.delete(name);
    this.#policy.delete(cap);
    this.#log.delete(cap);
  }

  /**
   * A kernel transport over `cap` for the `@nexus/proto` clients.
   *
   * @example
   * new KeystoreClient(client.transport(cap));
   */
  transport(cap: SendCap): Transport {
    return async (frame, timeoutMs) => (await this.task.call(cap, frame, { timeoutMs })).frame;
  }

  /**
   * policyd, through a probe that owns its nonces.
   *
   * @example
   * const probe = await client.policy();
   */
  async policy(): Promise<PolicyProbe | undefined> {
    const cap = await this.right('policyd');
    if (cap === undefined) return undefined;
    const probe = this.#policy.get(cap) ?? new PolicyProbe(this.transport(cap));
    this.#policy.set(cap, probe);
    return probe;
  }

  /**
   * logd (LO v2), one client per right so nonces stay per channel.
   *
   * @example
   * const log = await client.log();
   */
  async log(): Promise<LogClient | undefined> {
    const cap = await this.right('logd');
    if (cap === undefined) return undefined;
    const log = this.#log.get(cap) ?? new LogClient(this.transport(cap), { timeoutMs: CLIENT_TIMEOUT_MS });
    this.#log.set(cap, log);
    return log;
  }

  /**
   * keystored (KS v1).
   *
   * @example
   * const ks = await client.keystore();
   */
  async keystore(): Promise<KeystoreClient | undefined> {
    const cap = await this.right('keystored');
    return cap === undefined ? undefined : new KeystoreClient(this.transport(cap), { timeoutMs: CLIENT_TIMEOUT_MS });
  }

  /**
   * bundlemgrd (BM v1).
   *
   * @example
   * const bundles = await client.bundles();
   */
  async bundles(): Promise<BundleClient | undefined> {
    const cap = await this.right('bundlemgrd');
    return cap === undefined ? undefined : new BundleClient(this.transport(cap), { timeoutMs: CLIENT_TIMEOUT_MS });
  }

  /**
   * execd (EX v1).
   *
   * @example
   * const exec = await client.exec();
   */
  async exec(): Promise<ExecClient | undefined> {
    const cap = await this.right('execd');
    return cap === undefined ? undefined : new ExecClient(this.transport(cap), { timeoutMs: CLIENT_TIMEOUT_MS * 2 });
  }
}
