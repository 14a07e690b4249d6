import { callTransport, type Transport, type TransportFailure } from '../call-transport.js';
import { decodeKeystoreReply, encodeKeystoreRequest } from './codec.js';
import { decodeKeystoreAuditPubkey, type KeystoreAuditPubkey } from './audit-pubkey.js';
import { decodeKeystorePubkey, type KeystorePubkey } from './pubkey.js';
import {
  KS_OP,
  KS_SIGNATURE_BYTES,
  KS_STATUS,
  type KeystoreReply,
  type KeystoreRequest,
  type KeystoreStatus,
} from './wire.js';

/**
 * Every outcome of a {@link KeystoreClient} call: a KS status by name, a transport failure, a reply
 * that does not answer the request (`bad-reply`), or a request the client refused to encode
 * (`malformed`, never sent).
 */
export type KeystoreOutcome =
  | 'ok'
  | 'not-found'
  | 'malformed'
  | 'too-large'
  | 'unsupported'
  | 'deny'
  | 'key-exists'
  | 'key-not-found'
  | 'private-export-denied'
  | 'bad-reply'
  | TransportFailure;

/** The result of a call that carries no value. */
export interface KeystoreResult {
  readonly status: KeystoreOutcome;
}

/** The result of a call whose success carries a value of type `T`. */
export type KeystoreValueResult<K extends string, T> =
  | ({ readonly status: 'ok' } & { readonly [P in K]: T })
  | { readonly status: Exclude<KeystoreOutcome, 'ok'> };

/** Options of a {@link KeystoreClient}. */
export interface KeystoreClientOptions {
  /** Passed to the transport on every call. Default 1000 (signing 1 MiB takes a while). */
  readonly timeoutMs?: number;
}

const NAME_OF: Readonly<Record<KeystoreStatus, KeystoreOutcome>> = {
  [KS_STATUS.OK]: 'ok',
  [KS_STATUS.NOT_FOUND]: 'not-found',
  [KS_STATUS.MALFORMED]: 'malformed',
  [KS_STATUS.TOO_LARGE]: 'too-large',
  [KS_STATUS.UNSUPPORTED]: 'unsupported',
  [KS_STATUS.DENY]: 'deny',
  [KS_STATUS.KEY_EXISTS]: 'key-exists',
  [KS_STATUS.KEY_NOT_FOUND]: 'key-not-found',
  [KS_STATUS.PRIVATE_EXPORT_DENIED]: 'private-export-denied',
};

type Exchange = { readonly ok: true; readonly value: Uint8Array } | { readonly ok: false; readonly status: Exclude<KeystoreOutcome, 'ok'> };

/**
 * A fail-closed client of keystored. Every method resolves (never rejects); a value (signature,
 * public key, stored bytes) is returned only from a well-formed OK reply of the matching op and
 * shape. `getDevicePrivkey` can never return key material: an OK reply to it is `bad-reply`.
 *
 * @example
 * const ks = new KeystoreClient(async (f, t) => (await task.call(route, f, { timeoutMs: t })).frame);
 * const res = await ks.sign(payload);
 * if (res.status === 'ok') use(res.signature);
 */
export class KeystoreClient {
  readonly #transport: Transport;
  readonly #timeoutMs: number;

  constructor(transport: Transport, options: KeystoreClientOptions = {}) {
    this.#transport = transport;
    this.#timeoutMs = options.timeoutMs ?? 1000;
  }

  async #exchange(request: KeystoreRequest, valid: (value: Uint8Array) => boolean): Promise<Exchange> {
    let frame: Uint8Array;
    try {
      frame = encodeKeystoreRequest(request);
    } catch {
      return { ok: false, status: 'malformed' };
    }
    const out = await callTransport(this.#transport, frame, this.#timeoutMs);
    if (!out.ok) return { ok: false, status: out.failure };
    let reply: KeystoreReply;
    try {
      reply = decodeKeystoreReply(out.frame, request.op);
    } catch {
      return { ok: false, status: 'bad-reply' };
    }
    if (reply.status !== KS_STATUS.OK) return { ok: false, status: NAME_OF[reply.status] as Exclude<KeystoreOutcome, 'ok'> };
    return valid(reply.value) ? { ok: true, value: reply.value } : { ok: false, status: 'bad-reply' };
  }

  async #plain(request: KeystoreRequest): Promise<KeystoreResult> {
    const res = await this.#exchange(request, (v) => v.byteLength === 0);
    return { status: res.ok ? 'ok' : res.status };
  }

  /**
   * PUT: stores `value` (≤ 256 bytes) under `key` (1..64 bytes) in the caller's namespace.
   *
   * @example
   * await ks.put('wifi', bytes); // { status: 'ok' } or { status: 'key-exists' }
   */
  put(key: string, value: Uint8Array): Promise<KeystoreResult> {
    return this.#plain({ op: KS_OP.PUT, key, value });
  }

  /**
   * GET: reads the value stored under `key` in the caller's namespace.
   *
   * @example
   * const res = await ks.get('wifi'); if (res.status === 'ok') res.value;
   */
  async get(key: string): Promise<KeystoreValueResult<'value', Uint8Array>> {
    const res = await this.#exchange({ op: KS_OP.GET, key }, () => true);
    return res.ok ? { status: 'ok', value: res.value } : { status: res.status };
  }

  /**
   * DEL: removes `key` from the caller's namespace.
   *
   * @example
   * await ks.del('wifi'); // { status: 'ok' } or { status: 'not-found' }
   */
  del(key: string): Promise<KeystoreResult> {
    return this.#plain({ op: KS_OP.DEL, key });
  }

  /**
   * VERIFY: is `signature` a valid Ed25519 signature of `payload` (≤ 1 MiB) by `publicKey`?
   * `valid` is `true` only for an OK reply whose value is exactly `[1]`.
   *
   * @example
   * const res = await ks.verify(pub, sig, payload); const ok = res.status === 'ok' && res.valid;
   */
  async verify(publicKey: Uint8Array, signature: Uint8Array, payload: Uint8Array): Promise<KeystoreValueResult<'valid', boolean>> {
    const res = await this.#exchange(
      { op: KS_OP.VERIFY, publicKey, signature, payload },
      (v) => v.byteLength === 1 && (v[0] === 0 || v[0] === 1),
    );
    return res.ok ? { status: 'ok', valid: res.value[0] === 1 } : { status: res.status };
  }

  /**
   * SIGN: asks keystored to sign `payload` (≤ 1 MiB) with the device key; keystored gates it on
   * the caller's `crypto.sign`. Anything but a 64-byte signature in an OK reply is not `ok`.
   *
   * @example
   * const res = await ks.sign(payload); if (res.status === 'ok') res.signature;
   */
  async sign(payload: Uint8Array): Promise<KeystoreValueResult<'signature', Uint8Array>> {
    const res = await this.#exchange({ op: KS_OP.SIGN, payload }, (v) => v.byteLength === KS_SIGNATURE_BYTES);
    return res.ok ? { status: 'ok', signature: res.value } : { status: res.status };
  }

  /**
   * PUBKEY: the device public key with its class and label (see `KS_KEY_CLASS`).
   *
   * @example
   * const res = await ks.pubkey(); if (res.status === 'ok') res.pubkey.keyClass;
   */
  async pubkey(): Promise<KeystoreValueResult<'pubkey', KeystorePubkey>> {
    let pub: KeystorePubkey | undefined;
    const res = await this.#exchange({ op: KS_OP.PUBKEY }, (v) => {
      try {
        pub = decodeKeystorePubkey(v);
        return true;
      } catch {
        return false;
      }
    });
    return res.ok && pub !== undefined ? { status: 'ok', pubkey: pub } : { status: res.ok ? 'bad-reply' : res.status };
  }

  /**
   * SEAL: asks keystored to sign a checkpoint message (exactly 202 bytes starting with
   * `KS_SEAL_DOMAIN`; anything else is `malformed`, never sent) with the audit key; keystored gates
   * it on the caller's `audit.seal`. Anything but a 64-byte signature in an OK reply is not `ok`.
   *
   * @example
   * const res = await ks.seal(encodeCheckpointMessage(claim)); if (res.status === 'ok') res.signature;
   */
  async seal(message: Uint8Array): Promise<KeystoreValueResult<'signature', Uint8Array>> {
    const res = await this.#exchange({ op: KS_OP.SEAL, message }, (v) => v.byteLength === KS_SIGNATURE_BYTES);
    return res.ok ? { status: 'ok', signature: res.value } : { status: res.status };
  }

  /**
   * AUDIT_PUBKEY: the public half of the audit key and its key id (checked: SHA-256 of its SPKI
   * DER, else `bad-reply`). Public: any caller may ask.
   *
   * @example
   * const res = await ks.auditPubkey(); if (res.status === 'ok') res.auditKey.spkiDer;
   */
  async auditPubkey(): Promise<KeystoreValueResult<'auditKey', KeystoreAuditPubkey>> {
    let key: KeystoreAuditPubkey | undefined;
    const res = await this.#exchange({ op: KS_OP.AUDIT_PUBKEY }, (v) => {
      try {
        key = decodeKeystoreAuditPubkey(v);
        return true;
      } catch {
        return false;
      }
    });
    return res.ok && key !== undefined ? { status: 'ok', auditKey: key } : { status: res.ok ? 'bad-reply' : res.status };
  }

  /**
   * GET_DEVICE_PRIVKEY: always refused by keystored (`private-export-denied`). The result type has
   * no value field, and an OK reply is treated as `bad-reply`, so key material never surfaces here.
   *
   * @example
   * await ks.getDevicePrivkey(); // { status: 'private-export-denied' }
   */
  async getDevicePrivkey(): Promise<KeystoreResult> {
    const res = await this.#exchange({ op: KS_OP.GET_DEVICE_PRIVKEY }, () => false);
    return { status: res.ok ? 'bad-reply' : res.status };
  }
}
