import {
  callTransport,
  decodePolicyReply,
  encodePolicyRequest,
  PO_STATUS,
  type PolicyRequest,
  type Transport,
} from '@nexus/proto';

/**
 * What policyd answered a probe: its status by name (or how the exchange failed), and the nonce
 * the request carried, so the audit record of exactly this request can be found.
 *
 * @example
 * const answer: ProbeAnswer = { status: 'deny', nonce: 3 };
 */
export interface ProbeAnswer {
  readonly status: 'allow' | 'deny' | 'malformed' | 'unsupported' | 'too-large' | 'bad-reply' | 'timeout' | 'peer-closed' | 'error';
  readonly nonce: number;
  /** The VERSION label, on an allowed VERSION request. */
  readonly label?: string;
}

const STATUS_NAME: Readonly<Record<number, ProbeAnswer['status']>> = {
  [PO_STATUS.ALLOW]: 'allow',
  [PO_STATUS.DENY]: 'deny',
  [PO_STATUS.MALFORMED]: 'malformed',
  [PO_STATUS.UNSUPPORTED]: 'unsupported',
  [PO_STATUS.TOO_LARGE]: 'too-large',
};

/** Nonces of the probe start here, far from the services' own PolicyClient counters (which start at 1). */
const FIRST_NONCE = 0x5e1f0000;

/**
 * A PO client that chooses its own nonces (v2), so the selftest can match the audit record of each
 * request by nonce. `send` takes a request builder; `sendBroken` sends a request whose frame is cut
 * short by `cut` bytes, to prove malformed frames are refused and audited.
 *
 * @example
 * const probe = new PolicyProbe(transport);
 * const answer = await probe.send((nonce) => ({ version: 2, op: 5, nonce, subjectId, cap: 'audit.read' }));
 */
export class PolicyProbe {
  readonly #transport: Transport;
  #nonce = FIRST_NONCE;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Sends one request with the next nonce and reads the reply.
   *
   * @example
   * await probe.send((nonce) => ({ version: 2, op: 7, nonce })); // { status: 'allow', nonce, label }
   */
  send(build: (nonce: number) => PolicyRequest & { readonly nonce: number }): Promise<ProbeAnswer> {
    return this.#exchange(build, 0);
  }

  /**
   * Sends the request's frame without its last `cut` bytes: a truncated, malformed frame.
   *
   * @example
   * await probe.sendBroken((nonce) => ({ version: 2, op: 5, nonce, subjectId, cap: 'audit.read' }), 2);
   */
  sendBroken(build: (nonce: number) => PolicyRequest & { readonly nonce: number }, cut: number): Promise<ProbeAnswer> {
    return this.#exchange(build, cut);
  }

  async #exchange(build: (nonce: number) => PolicyRequest & { readonly nonce: number }, cut: number): Promise<ProbeAnswer> {
    this.#nonce = (this.#nonce + 1) >>> 0;
    const request = build(this.#nonce);
    const frame = encodePolicyRequest(request);
    const out = await callTransport(this.#transport, frame.subarray(0, frame.byteLength - cut), 1000);
    if (!out.ok) return { status: out.failure, nonce: request.nonce };
    try {
      const reply = decodePolicyReply(out.frame, { version: request.version, op: request.op, nonce: request.nonce });
      const status = STATUS_NAME[reply.status] ?? 'bad-reply';
      return { status, nonce: request.nonce, ...(reply.label === undefined ? {} : { label: reply.label }) };
    } catch {
      return { status: 'bad-reply', nonce: request.nonce };
    }
  }
}
