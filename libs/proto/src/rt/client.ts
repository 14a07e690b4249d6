import type { SendCap, Task } from '@nexus/ipc';
import { callTransport } from '../call-transport.js';
import { decodeRouteReply, encodeRouteRequest } from './codec.js';
import { RouteStatus } from './wire.js';

/**
 * The answer of {@link RouteClient.route}: a send right to the service, or why there is none.
 * `malformed` also covers a name the client refused to encode; `bad-reply` a garbage reply, a
 * reply that is OK without a right, or a right beside a reply that is not OK.
 */
export type RouteOutcome =
  | { readonly status: 'ok'; readonly cap: SendCap }
  | {
      readonly status:
        | 'deny'
        | 'not-found'
        | 'malformed'
        | 'too-large'
        | 'unsupported'
        | 'timeout'
        | 'peer-closed'
        | 'bad-reply'
        | 'error';
    };

/** Options of a {@link RouteClient}. */
export interface RouteClientOptions {
  /** Timeout of each ROUTE call, in ms. Default 1000 (init-lite itself waits on policyd). */
  readonly timeoutMs?: number;
}

type Refusal = Exclude<RouteOutcome['status'], 'ok'>;

const REFUSAL_OF: Readonly<Record<Exclude<RouteStatus, 0>, Refusal>> = {
  [RouteStatus.NOT_FOUND]: 'not-found',
  [RouteStatus.MALFORMED]: 'malformed',
  [RouteStatus.TOO_LARGE]: 'too-large',
  [RouteStatus.UNSUPPORTED]: 'unsupported',
  [RouteStatus.DENY]: 'deny',
};

/**
 * A client of init-lite's router: asks for a send right to a service by name. Never throws; only
 * a well-formed OK reply that carries a right is `ok`.
 *
 * @example
 * const router = new RouteClient(task, initLiteCap);
 * const logd = await router.route('logd');
 * if (logd.status === 'ok') await task.call(logd.cap, frame);
 */
export class RouteClient {
  readonly #task: Task;
  readonly #router: SendCap;
  readonly #timeoutMs: number;

  constructor(task: Task, router: SendCap, options: RouteClientOptions = {}) {
    this.#task = task;
    this.#router = router;
    this.#timeoutMs = options.timeoutMs ?? 1000;
  }

  /**
   * ROUTE: asks for a send right to `name`.
   *
   * @example
   * await router.route('execd'); // { status: 'deny' } for a service without `ipc.route@execd`
   */
  async route(name: string): Promise<RouteOutcome> {
    let frame: Uint8Array;
    try {
      frame = encodeRouteRequest(name);
    } catch {
      return { status: 'malformed' };
    }
    let cap: SendCap | undefined;
    const out = await callTransport(
      async (f, timeoutMs) => {
        const reply = await this.#task.call(this.#router, f, { timeoutMs });
        cap = reply.cap;
        return reply.frame;
      },
      frame,
      this.#timeoutMs,
    );
    if (!out.ok) return { status: out.failure };
    let status: RouteStatus;
    try {
      status = decodeRouteReply(out.frame);
    } catch {
      return { status: 'bad-reply' };
    }
    if (status === RouteStatus.OK) return cap === undefined ? { status: 'bad-reply' } : { status: 'ok', cap };
    return cap === undefined ? { status: REFUSAL_OF[status] } : { status: 'bad-reply' };
  }
}
