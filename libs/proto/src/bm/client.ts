import { callTransport, type Transport } from '../call-transport.js';
import { BM_OP, BundleStatus, type BundleOp, type BundleReply, type BundleRequest, type BundleSummary } from './wire.js';
import { decodeBundleReply, encodeBundleRequest } from './codec.js';

/**
 * Why a {@link BundleClient} call produced no result: a BM status other than OK, or a transport or
 * reply failure (`bad-reply`: a reply that is garbage or does not answer the request).
 */
export type BundleFailure =
  | 'not-found'
  | 'malformed'
  | 'too-large'
  | 'unsupported'
  | 'deny'
  | 'bad-signature'
  | 'excess-capabilities'
  | 'already-installed'
  | 'full'
  | 'timeout'
  | 'peer-closed'
  | 'bad-reply'
  | 'error';

/**
 * The answer of {@link BundleClient.install}.
 *
 * @example
 * const res: BundleInstallResult = await bm.install(text, sig);
 * if (res.status === 'ok') res.imageId;
 */
export type BundleInstallResult =
  | { readonly status: 'ok'; readonly imageId: number }
  | { readonly status: BundleFailure };

/**
 * The answer of {@link BundleClient.query}.
 *
 * @example
 * const res: BundleQueryResult = await bm.query('demo.testsvc');
 * if (res.status === 'ok') res.version;
 */
export type BundleQueryResult =
  | { readonly status: 'ok'; readonly imageId: number; readonly version: string }
  | { readonly status: BundleFailure };

/**
 * The answer of {@link BundleClient.list}. `truncated` carries the rows that fit in one reply
 * (bundlemgrd said TOO_LARGE): never mistake it for the whole list.
 */
export type BundleListResult =
  | { readonly status: 'ok' | 'truncated'; readonly bundles: readonly BundleSummary[] }
  | { readonly status: BundleFailure };

/**
 * Options of a {@link BundleClient}.
 *
 * @example
 * new BundleClient(transport, { timeoutMs: 200 });
 */
export interface BundleClientOptions {
  /** Passed to the transport on every call. Default 500. */
  readonly timeoutMs?: number;
}

const FAILURE_OF: Readonly<Record<Exclude<BundleStatus, 0>, BundleFailure>> = {
  [BundleStatus.NOT_FOUND]: 'not-found',
  [BundleStatus.MALFORMED]: 'malformed',
  [BundleStatus.TOO_LARGE]: 'too-large',
  [BundleStatus.UNSUPPORTED]: 'unsupported',
  [BundleStatus.DENY]: 'deny',
  [BundleStatus.BAD_SIGNATURE]: 'bad-signature',
  [BundleStatus.EXCESS_CAPABILITIES]: 'excess-capabilities',
  [BundleStatus.ALREADY_INSTALLED]: 'already-installed',
  [BundleStatus.FULL]: 'full',
};

const encoder = new TextEncoder();

/**
 * A client of bundlemgrd that never throws: every method resolves with `status: 'ok'` only for a
 * well-formed OK reply to its own op; a timeout, a closed peer, a thrown transport or a garbage
 * reply is a failure status. A request it cannot encode (a bad name, a manifest over 4096 bytes, a
 * signature that is not 64 bytes) is `malformed` and is not sent.
 *
 * @example
 * const bm = new BundleClient(async (f, t) => (await task.call(route, f, { timeoutMs: t })).frame);
 * const q = await bm.query('demo.testsvc');
 * if (q.status === 'ok') exec(q.imageId);
 */
export class BundleClient {
  readonly #transport: Transport;
  readonly #timeoutMs: number;

  constructor(transport: Transport, options: BundleClientOptions = {}) {
    this.#transport = transport;
    this.#timeoutMs = options.timeoutMs ?? 500;
  }

  async #call(build: () => BundleRequest, op: BundleOp): Promise<BundleReply | BundleFailure> {
    let frame: Uint8Array;
    try {
      frame = encodeBundleRequest(build());
    } catch {
      return 'malformed';
    }
    const out = await callTransport(this.#transport, frame, this.#timeoutMs);
    if (!out.ok) return out.failure;
    try {
      return decodeBundleReply(out.frame, op);
    } catch {
      return 'bad-reply';
    }
  }

  /**
   * INSTALL: the manifest text (UTF-8 TOML, ≤ 4096 bytes) and the detached Ed25519 signature over
   * its UTF-8 bytes.
   *
   * @example
   * await bm.install(manifestText, signature); // { status: 'ok', imageId: 1 }
   */
  async install(manifestText: string, signature: Uint8Array): Promise<BundleInstallResult> {
    const reply = await this.#call(() => ({ op: BM_OP.INSTALL, manifest: encoder.encode(manifestText), signature }), BM_OP.INSTALL);
    if (typeof reply === 'string') return { status: reply };
    if (reply.status !== BundleStatus.OK || reply.op !== BM_OP.INSTALL) return { status: failureOf(reply.status) };
    return { status: 'ok', imageId: reply.imageId };
  }

  /**
   * QUERY: the image id and version of the bundle installed under `name`.
   *
   * @example
   * await bm.query('demo.testsvc'); // { status: 'ok', imageId: 1, version: '1.0.0' }
   */
  async query(name: string): Promise<BundleQueryResult> {
    const reply = await this.#call(() => ({ op: BM_OP.QUERY, name }), BM_OP.QUERY);
    if (typeof reply === 'string') return { status: reply };
    if (reply.status !== BundleStatus.OK || reply.op !== BM_OP.QUERY) return { status: failureOf(reply.status) };
    return { status: 'ok', imageId: reply.imageId, version: reply.version };
  }

  /**
   * LIST: every installed bundle in image-id order (`truncated` when one reply could not hold all).
   *
   * @example
   * await bm.list(); // { status: 'ok', bundles: [{ imageId: 1, name: 'demo.testsvc', version: '1.0.0' }] }
   */
  async list(): Promise<BundleListResult> {
    const reply = await this.#call(() => ({ op: BM_OP.LIST }), BM_OP.LIST);
    if (typeof reply === 'string') return { status: reply };
    if (reply.op !== BM_OP.LIST) return { status: 'bad-reply' };
    if (reply.status === BundleStatus.OK) return { status: 'ok', bundles: reply.bundles };
    if (reply.status === BundleStatus.TOO_LARGE) return { status: 'truncated', bundles: reply.bundles };
    return { status: failureOf(reply.status) };
  }
}

function failureOf(status: BundleStatus): BundleFailure {
  return status === BundleStatus.OK ? 'bad-reply' : FAILURE_OF[status];
}
