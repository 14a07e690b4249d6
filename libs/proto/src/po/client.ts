import { callTransport, type Transport } from '../call-transport.js';
import { decodePolicyReply, encodePolicyRequest } from './codec.js';
import { PO_OP, PO_STATUS, type PolicyRequest, type PolicyStatus } from './wire.js';

/**
 * The answer of a {@link PolicyClient} call. `allow` is `true` only for a well-formed ALLOW reply
 * that matches the request (version, op and nonce); every other outcome is a deny, named by
 * `status`. `malformed` covers both a request policyd called malformed and one the client refused
 * to encode (a name outside 1..48 bytes): neither was judged, so both deny.
 */
export interface PolicyVerdict {
  readonly allow: boolean;
  readonly status:
    | 'allow'
    | 'deny'
    | 'malformed'
    | 'unsupported'
    | 'too-large'
    | 'timeout'
    | 'peer-closed'
    | 'bad-reply'
    | 'error';
}

/** The answer of {@link PolicyClient.version}: a verdict plus the label on success. */
export interface PolicyVersionVerdict extends PolicyVerdict {
  readonly label?: string;
}

/** Options of a {@link PolicyClient}. */
export interface PolicyClientOptions {
  /** Passed to the transport on every call. Default 500. */
  readonly timeoutMs?: number;
}

const VERDICT_OF: Readonly<Record<PolicyStatus, PolicyVerdict['status']>> = {
  [PO_STATUS.ALLOW]: 'allow',
  [PO_STATUS.DENY]: 'deny',
  [PO_STATUS.MALFORMED]: 'malformed',
  [PO_STATUS.UNSUPPORTED]: 'unsupported',
  [PO_STATUS.TOO_LARGE]: 'too-large',
};

/**
 * A fail-closed client of policyd. Every method resolves (never rejects) with a
 * {@link PolicyVerdict}; a timeout, a closed peer, a thrown transport, a garbage or mismatched reply
 * all deny. Nonces come from a per-client counter, so runs are deterministic.
 *
 * @example
 * const policy = new PolicyClient(async (f, t) => (await task.call(route, f, { timeoutMs: t })).frame);
 * if ((await policy.routeById(requesterId, targetId)).allow) grant();
 */
export class PolicyClient {
  readonly #transport: Transport;
  readonly #timeoutMs: number;
  #nonce = 0;

  constructor(transport: Transport, options: PolicyClientOptions = {}) {
    this.#transport = transport;
    this.#timeoutMs = options.timeoutMs ?? 500;
  }

  #nextNonce(): number {
    this.#nonce = (this.#nonce + 1) >>> 0;
    return this.#nonce;
  }

  async #ask(build: () => PolicyRequest): Promise<PolicyVersionVerdict> {
    let request: PolicyRequest;
    let frame: Uint8Array;
    try {
      request = build();
      frame = encodePolicyRequest(request);
    } catch {
      return { allow: false, status: 'malformed' };
    }
    const out = await callTransport(this.#transport, frame, this.#timeoutMs);
    if (!out.ok) return { allow: false, status: out.failure };
    try {
      const reply = decodePolicyReply(out.frame, {
        version: request.version,
        op: request.op,
        ...(request.version === 1 ? {} : { nonce: request.nonce }),
      });
      const status = VERDICT_OF[reply.status];
      return { allow: status === 'allow', status, ...(reply.label === undefined ? {} : { label: reply.label }) };
    } catch {
      return { allow: false, status: 'bad-reply' };
    }
  }

  /**
   * v1 CHECK: does `name` hold `ipc.core`? (policyd denies unless `name` is the caller.)
   *
   * @example
   * await policy.check('keystored'); // { allow: true, status: 'allow' }
   */
  check(name: string): Promise<PolicyVerdict> {
    return this.#ask(() => ({ version: 1, op: PO_OP.CHECK, name }));
  }

  /**
   * v2 ROUTE by names, with a nonce.
   *
   * @example
   * await policy.route('bundlemgrd', 'execd'); // { allow: false, status: 'deny' }
   */
  route(requester: string, target: string): Promise<PolicyVerdict> {
    return this.#ask(() => ({ version: 2, op: PO_OP.ROUTE, nonce: this.#nextNonce(), requester, target }));
  }

  /**
   * v3 ROUTE by service ids.
   *
   * @example
   * await policy.routeById(serviceIdFromName('init-lite'), serviceIdFromName('logd'));
   */
  routeById(requesterId: bigint, targetId: bigint): Promise<PolicyVerdict> {
    return this.#ask(() => ({ version: 3, op: PO_OP.ROUTE, nonce: this.#nextNonce(), requesterId, targetId }));
  }

  /**
   * v2 EXEC: may `requester` exec image `imageId` (0..255)?
   *
   * @example
   * await policy.exec('selftest-client', 3);
   */
  exec(requester: string, imageId: number): Promise<PolicyVerdict> {
    return this.#ask(() => ({ version: 2, op: PO_OP.EXEC, nonce: this.#nextNonce(), requester, imageId }));
  }

  /**
   * v3 EXEC by requester id.
   *
   * @example
   * await policy.execById(serviceIdFromName('selftest-client'), 3);
   */
  execById(requesterId: bigint, imageId: number): Promise<PolicyVerdict> {
    return this.#ask(() => ({ version: 3, op: PO_OP.EXEC, nonce: this.#nextNonce(), requesterId, imageId }));
  }

  /**
   * v1 CHECK_CAP: does `subjectId` hold `cap`?
   *
   * @example
   * await policy.checkCap(task.serviceId, 'ipc.core');
   */
  checkCap(subjectId: bigint, cap: string): Promise<PolicyVerdict> {
    return this.#ask(() => ({ version: 1, op: PO_OP.CHECK_CAP, subjectId, cap }));
  }

  /**
   * v2 CHECK_CAP_DELEGATED: a service asks whether its caller `subjectId` holds `cap`.
   *
   * @example
   * await policy.checkCapDelegated(msg.senderServiceId, 'crypto.sign');
   */
  checkCapDelegated(subjectId: bigint, cap: string): Promise<PolicyVerdict> {
    return this.#ask(() => ({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce: this.#nextNonce(), subjectId, cap }));
  }

  /**
   * v3 CHECK_CAP_DELEGATED: does the caller `subjectId` hold `cap` for the service `targetId`
   * (`cap@target` rules and `[restrict]` apply)?
   *
   * @example
   * await policy.checkCapDelegatedFor(msg.senderServiceId, 'bundle.install', serviceIdFromName('keystored'));
   */
  checkCapDelegatedFor(subjectId: bigint, cap: string, targetId: bigint): Promise<PolicyVerdict> {
    return this.#ask(() => ({ version: 3, op: PO_OP.CHECK_CAP_DELEGATED, nonce: this.#nextNonce(), subjectId, targetId, cap }));
  }

  /**
   * v2 VERSION: policyd's version label (`label` is set only when `allow` is true).
   *
   * @example
   * const { allow, label } = await policy.version();
   */
  version(): Promise<PolicyVersionVerdict> {
    return this.#ask(() => ({ version: 2, op: PO_OP.VERSION, nonce: this.#nextNonce() }));
  }
}
