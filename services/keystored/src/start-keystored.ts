import type { Incoming, Kernel, SendCap, Task } from '@nexus/ipc';
import {
  KS_KEY_CLASS,
  KS_MAX_FRAME,
  KS_OP,
  KS_STATUS,
  PolicyClient,
  decodeKeystoreAuditPubkey,
  decodeKeystoreRequest,
  encodeKeystoreAuditPubkey,
  encodeKeystorePubkey,
  encodeKeystoreReply,
  taskTransport,
  type KeystoreRequest,
  type KeystoreStatus,
} from '@nexus/proto';
import { SEAL_CAP, generateAuditKeyPair, namesKey } from './audit-key.js';
import { BRINGUP_KEY_LABEL, generateBringupKeyPair, type DeviceKeyPair } from './bringup-key.js';
import { KeystoreNamespaces, type KeystoreNamespaceLimits } from './keystore-namespaces.js';
import { KeystoredError } from './keystored-error.js';
import { verifyEd25519 } from './verify-ed25519.js';

/** The capability a KS caller needs for SIGN (decided by policyd about the caller). */
export const SIGN_CAP = 'crypto.sign';

/**
 * Requests waiting on keystored. Each may hold a 1 MiB SIGN / VERIFY frame, so the queue bounds
 * keystored's inbound memory at about 4 MiB.
 */
export const KEYSTORED_QUEUE_DEPTH = 4;

/**
 * Options of {@link startKeystored}.
 *
 * @example
 * startKeystored(kernel, { maxCallers: 16, policyTimeoutMs: 200 });
 */
export interface KeystoredOptions extends KeystoreNamespaceLimits {
  /**
   * TESTS ONLY: the device key pair to use. By default keystored generates its own bring-up pair
   * with a non-extractable private key; a test passes a pair it can also export, to scan replies
   * for the private key bytes.
   */
  readonly keyPair?: DeviceKeyPair;
  /** TESTS ONLY: the audit key pair (SEAL, AUDIT_PUBKEY); by default a fresh non-extractable pair. */
  readonly auditKeyPair?: DeviceKeyPair;
  /** Timeout of the policyd query of a SIGN or SEAL, ms. Default 500. */
  readonly policyTimeoutMs?: number;
}

/**
 * What the boot harness gets back from {@link startKeystored}.
 *
 * @example
 * const ks: KeystoredHandle = startKeystored(kernel);
 * ks.connectPolicyd(kernel.grant(policyd.endpoint, ks.task));
 */
export interface KeystoredHandle {
  /** keystored's task (its kernel identity is `serviceIdFromName('keystored')`). */
  readonly task: Task;
  /** keystored's endpoint, for the harness to grant to clients. */
  readonly endpoint: SendCap;
  /** Hands keystored its channel to policyd (a send right held by keystored's task); once. */
  connectPolicyd(cap: SendCap): void;
}

const EMPTY = new Uint8Array(0);
/** Callers whose `audit.seal` ALLOW keystored remembers (policyd is the one in any recipe). */
const MAX_SEAL_CALLERS = 8;

function checkKeyPair(pair: DeviceKeyPair): DeviceKeyPair {
  const { privateKey, publicKey } = pair;
  if (
    privateKey?.type !== 'private' ||
    publicKey?.type !== 'public' ||
    privateKey.algorithm.name !== 'Ed25519' ||
    publicKey.algorithm.name !== 'Ed25519' ||
    !privateKey.usages.includes('sign')
  ) {
    throw new KeystoredError('BAD_VALUE', 'keyPair must be an Ed25519 pair whose private key may sign');
  }
  return pair;
}

/**
 * Starts keystored: spawns its task, creates its endpoint (frames up to `KS_MAX_FRAME`, a 1 MiB
 * VERIFY; queue of 4) and serves the KS protocol. PUT / GET / DEL act on the caller's own store,
 * keyed by the kernel sender id. SIGN asks policyd `crypto.sign` about the CALLER (never about
 * keystored) and signs only on a well-formed matching ALLOW; not connected, policyd gone, timeout,
 * garbage or mismatched reply are DENY. The device key is a non-extractable bring-up key
 * ({@link BRINGUP_KEY_LABEL}); GET_DEVICE_PRIVKEY is always PRIVATE_EXPORT_DENIED. A second,
 * audit-only non-extractable key signs checkpoint messages through SEAL, gated the same way on
 * `audit.seal`, and only messages that name that key; AUDIT_PUBKEY gives anyone its public half.
 *
 * @example
 * const ks = startKeystored(kernel);
 * ks.connectPolicyd(kernel.grant(policyd.endpoint, ks.task));
 * const route = kernel.grant(ks.endpoint, client);
 */
export function startKeystored(kernel: Kernel, options: KeystoredOptions = {}): KeystoredHandle {
  const namespaces = new KeystoreNamespaces(options);
  const keys = options.keyPair === undefined ? generateBringupKeyPair() : Promise.resolve(checkKeyPair(options.keyPair));
  const auditKeys = options.auditKeyPair === undefined ? generateAuditKeyPair() : Promise.resolve(checkKeyPair(options.auditKeyPair));
  // The audit key's public half and id, computed once (the id is what every checkpoint must name).
  const auditPublic = auditKeys.then(async (pair) => {
    const value = encodeKeystoreAuditPubkey(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)));
    return { pair, value, keyId: decodeKeystoreAuditPubkey(value).keyId };
  });
  // A failed keygen is reported per request (KEY_NOT_FOUND), never as an unhandled rejection.
  keys.catch(() => undefined);
  auditPublic.catch(() => undefined);
  // Callers policyd ALLOWED `audit.seal`. The policy is compiled once per boot and never changes,
  // so an ALLOW holds for the boot; asking again on every seal would chain a decision record between
  // each seal's snapshot and its checkpoint, so no seal could ever cover the records before it.
  // A DENY (or no answer) is never remembered: the next SEAL asks again.
  const sealAllowed = new Set<bigint>();
  const task = kernel.spawn('keystored');
  const { recv, send } = kernel.createEndpoint(task, { maxFrame: KS_MAX_FRAME, queueDepth: KEYSTORED_QUEUE_DEPTH });
  let policy: PolicyClient | undefined;

  const reply = (op: number, status: KeystoreStatus, value: Uint8Array = EMPTY): Uint8Array =>
    encodeKeystoreReply({ op, status, value });

  async function deviceKeys(): Promise<DeviceKeyPair | undefined> {
    try {
      return await keys;
    } catch {
      return undefined;
    }
  }

  async function sign(caller: bigint, payload: Uint8Array): Promise<Uint8Array> {
    // The subject is the caller's kernel id: asking about keystored itself would allow everyone.
    const verdict = policy === undefined ? undefined : await policy.checkCapDelegated(caller, SIGN_CAP);
    if (verdict?.allow !== true) return reply(KS_OP.SIGN, KS_STATUS.DENY);
    const pair = await deviceKeys();
    if (pair === undefined) return reply(KS_OP.SIGN, KS_STATUS.KEY_NOT_FOUND);
    const signature = await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, payload);
    return reply(KS_OP.SIGN, KS_STATUS.OK, new Uint8Array(signature));
  }

  async function audit(): Promise<{ pair: DeviceKeyPair; value: Uint8Array; keyId: Uint8Array } | undefined> {
    try {
      return await auditPublic;
    } catch {
      return undefined;
    }
  }

  async function seal(caller: bigint, message: Uint8Array): Promise<Uint8Array> {
    if (!sealAllowed.has(caller)) {
      // Asked about the CALLER, like SIGN; only policyd decides.
      const verdict = policy === undefined ? undefined : await policy.checkCapDelegated(caller, SEAL_CAP);
      if (verdict?.allow !== true) return reply(KS_OP.SEAL, KS_STATUS.DENY);
      if (sealAllowed.size < MAX_SEAL_CALLERS) sealAllowed.add(caller);
    }
    const key = await audit();
    if (key === undefined) return reply(KS_OP.SEAL, KS_STATUS.KEY_NOT_FOUND);
    // A claim about another key is not a checkpoint of this one: never vouch for it.
    if (!namesKey(message, key.keyId)) return reply(KS_OP.SEAL, KS_STATUS.MALFORMED);
    const signature = await crypto.subtle.sign({ name: 'Ed25519' }, key.pair.privateKey, message);
    return reply(KS_OP.SEAL, KS_STATUS.OK, new Uint8Array(signature));
  }

  async function auditPubkey(): Promise<Uint8Array> {
    const key = await audit();
    return key === undefined ? reply(KS_OP.AUDIT_PUBKEY, KS_STATUS.KEY_NOT_FOUND) : reply(KS_OP.AUDIT_PUBKEY, KS_STATUS.OK, key.value);
  }

  async function pubkey(): Promise<Uint8Array> {
    const pair = await deviceKeys();
    if (pair === undefined) return reply(KS_OP.PUBKEY, KS_STATUS.KEY_NOT_FOUND);
    const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    const value = encodeKeystorePubkey({ publicKey, keyClass: KS_KEY_CLASS.BRINGUP_NOT_FOR_PRODUCTION, label: BRINGUP_KEY_LABEL });
    return reply(KS_OP.PUBKEY, KS_STATUS.OK, value);
  }

  async function serve(caller: bigint, req: KeystoreRequest): Promise<Uint8Array> {
    switch (req.op) {
      case KS_OP.PUT:
        return reply(req.op, namespaces.put(caller, req.key, req.value));
      case KS_OP.GET: {
        const got = namespaces.get(caller, req.key);
        return got.status === KS_STATUS.OK ? reply(req.op, got.status, got.value) : reply(req.op, got.status);
      }
      case KS_OP.DEL:
        return reply(req.op, namespaces.del(caller, req.key));
      case KS_OP.VERIFY: {
        const valid = await verifyEd25519(req.publicKey, req.signature, req.payload);
        return reply(req.op, KS_STATUS.OK, Uint8Array.of(valid ? 1 : 0));
      }
      case KS_OP.SIGN:
        return sign(caller, req.payload);
      case KS_OP.PUBKEY:
        return pubkey();
      case KS_OP.SEAL:
        return seal(caller, req.message);
      case KS_OP.AUDIT_PUBKEY:
        return auditPubkey();
      case KS_OP.GET_DEVICE_PRIVKEY:
        return reply(req.op, KS_STATUS.PRIVATE_EXPORT_DENIED);
    }
  }

  task.serve(recv, async (msg: Incoming): Promise<Uint8Array> => {
    const decoded = decodeKeystoreRequest(msg.frame);
    return decoded.ok ? serve(msg.senderServiceId, decoded.request) : decoded.reply;
  });

  return Object.freeze({
    task,
    endpoint: send,
    connectPolicyd(cap: SendCap): void {
      if (policy !== undefined) throw new KeystoredError('ALREADY_CONNECTED', 'policyd is already connected');
      policy = new PolicyClient(taskTransport(task, cap), { timeoutMs: options.policyTimeoutMs ?? 500 });
    },
  });
}
