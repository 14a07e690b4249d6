import { isServiceName, serviceIdFromName, type Incoming, type Kernel, type SendCap, type Task } from '@nexus/ipc';
import { isStrictEd25519Point, KeystoreClient, PolicyClient, taskTransport, BM_MAX_REPLY, BM_MAX_REQUEST, BM_OP, BundleStatus, type BundleSummary, decodeBundleRequest, encodeBundleFailure, encodeBundleReply } from '@nexus/proto';
import { BundleError } from './bundle-error.js';
import { BundleRegistry } from './bundle-registry.js';
import { parseBundleManifest, type BundleManifest } from './parse-bundle-manifest.js';

/** The capability a caller needs to install bundles (decided by policyd). */
export const BUNDLE_INSTALL_CAP = 'bundle.install';

/**
 * Options of {@link startBundlemgrd}.
 *
 * @example
 * startBundlemgrd(kernel, { trustedPublishers: { nexus: publicKeyRaw }, policyTimeoutMs: 200 });
 */
export interface BundlemgrdOptions {
  /** Publisher name → raw 32-byte Ed25519 public key. Copied at start; nothing else is trusted. */
  readonly trustedPublishers: Readonly<Record<string, Uint8Array>>;
  /** Timeout of each policyd query, ms. Default 500. */
  readonly policyTimeoutMs?: number;
  /** Timeout of the keystored VERIFY, ms. Default 1000. */
  readonly keystoreTimeoutMs?: number;
}

/**
 * What the boot harness gets back from {@link startBundlemgrd}.
 *
 * @example
 * const bm: BundlemgrdHandle = startBundlemgrd(kernel, { trustedPublishers });
 * bm.connectKeystore(kernel.grant(keystored.endpoint, bm.task));
 */
export interface BundlemgrdHandle {
  /** bundlemgrd's task (its kernel identity is `serviceIdFromName('bundlemgrd')`). */
  readonly task: Task;
  /** bundlemgrd's endpoint, for the harness to grant to clients. */
  readonly endpoint: SendCap;
  /** Hands bundlemgrd its channel to policyd (a send right held by bundlemgrd's task); once. */
  connectPolicyd(cap: SendCap): void;
  /** Hands bundlemgrd its channel to keystored (a send right held by bundlemgrd's task); once. */
  connectKeystore(cap: SendCap): void;
}

/** Requests waiting on bundlemgrd; each holds at most one 8 KiB frame. */
const QUEUE_DEPTH = 8;

function trustedKeys(publishers: Readonly<Record<string, Uint8Array>>): ReadonlyMap<string, Uint8Array> {
  const keys = new Map<string, Uint8Array>();
  for (const [name, key] of Object.entries(publishers)) {
    if (!isServiceName(name)) throw new BundleError('BAD_VALUE', 'publisher name outside [a-z0-9._-]{1,48}');
    if (!(key instanceof Uint8Array) || key.byteLength !== 32) throw new BundleError('BAD_VALUE', 'publisher key must be 32 bytes');
    const copy = key.slice();
    // Checked on the copy, so the bytes checked are the bytes trusted.
    if (!isStrictEd25519Point(copy)) throw new BundleError('WEAK_KEY', 'publisher key is small-order or non-canonical');
    keys.set(name, copy);
  }
  return keys;
}

function listReply(rows: readonly BundleSummary[]): Uint8Array {
  // Rows go in image-id order until the next one would overflow the reply; a cut list says TOO_LARGE.
  let size = 6;
  let fit = 0;
  for (const row of rows) {
    const next = size + 3 + row.name.length + row.version.length;
    if (next > BM_MAX_REPLY || fit === 255) break;
    size = next;
    fit += 1;
  }
  const status = fit === rows.length ? BundleStatus.OK : BundleStatus.TOO_LARGE;
  return encodeBundleReply({ op: BM_OP.LIST, status, bundles: rows.slice(0, fit) });
}

/**
 * Starts bundlemgrd: spawns its task, creates its endpoint (8 KiB frames, queue of 8) and serves
 * the BM protocol. An INSTALL passes, in order and failing closed at each step: decode and bounds
 * → policyd `bundle.install` for the kernel-stamped caller → TOML + schema → policyd
 * `bundle.install@<manifest name>` for the caller → trusted publisher → signature verified by
 * keystored → policyd allows every requested capability to the bundle's service → store (image id
 * 1..255). Until `connectPolicyd` / `connectKeystore`, every INSTALL is
 * DENY. Throws `BundleError('BAD_VALUE')` for a bad `trustedPublishers` entry and
 * `BundleError('WEAK_KEY')` for a publisher key that is small-order or non-canonical.
 *
 * @example
 * const bm = startBundlemgrd(kernel, { trustedPublishers: { nexus: publicKeyRaw } });
 * bm.connectPolicyd(kernel.grant(policyd.endpoint, bm.task));
 * bm.connectKeystore(kernel.grant(ks.endpoint, bm.task));
 */
export function startBundlemgrd(kernel: Kernel, options: BundlemgrdOptions): BundlemgrdHandle {
  const publishers = trustedKeys(options.trustedPublishers);
  const task = kernel.spawn('bundlemgrd');
  const { recv, send } = kernel.createEndpoint(task, { maxFrame: BM_MAX_REQUEST, queueDepth: QUEUE_DEPTH });
  const registry = new BundleRegistry();
  let policy: PolicyClient | undefined;
  let keystore: KeystoreClient | undefined;

  async function capabilitiesAllowed(manifest: BundleManifest): Promise<BundleStatus> {
    const subject = serviceIdFromName(manifest.name);
    for (const cap of manifest.capabilities) {
      const verdict = policy === undefined ? undefined : await policy.checkCapDelegated(subject, cap);
      if (verdict?.allow === true) continue;
      // Only a judged deny is "excess"; an unreachable or garbled policyd denies the install as such.
      return verdict?.status === 'deny' ? BundleStatus.EXCESS_CAPABILITIES : BundleStatus.DENY;
    }
    return BundleStatus.OK;
  }

  async function install(sender: bigint, manifestBytes: Uint8Array, signature: Uint8Array): Promise<Uint8Array> {
    const fail = (status: Exclude<BundleStatus, 0>): Uint8Array => encodeBundleFailure(BM_OP.INSTALL, status);
    // The subject is always the caller's kernel id, never bundlemgrd's own and never a payload field.
    // Asked before the manifest is read, so a caller without the right learns nothing about parsing.
    const gate = policy === undefined ? undefined : await policy.checkCapDelegated(sender, BUNDLE_INSTALL_CAP);
    if (gate?.allow !== true) return fail(BundleStatus.DENY);
    let manifest: BundleManifest;
    try {
      manifest = parseBundleManifest(manifestBytes);
    } catch {
      return fail(BundleStatus.MALFORMED);
    }
    // The bundle will run under its name's identity and grants, so taking a name is asked about with
    // that identity as the target: policy data (`[restrict] "bundle.install"`) keeps system names out.
    const named = await policy?.checkCapDelegatedFor(sender, BUNDLE_INSTALL_CAP, serviceIdFromName(manifest.name));
    if (named?.allow !== true) return fail(BundleStatus.DENY);
    const publisherKey = publishers.get(manifest.publisher);
    if (publisherKey === undefined) return fail(BundleStatus.BAD_SIGNATURE);
    const verified = keystore === undefined ? undefined : await keystore.verify(publisherKey, signature, manifestBytes);
    if (verified?.status !== 'ok') return fail(BundleStatus.DENY);
    if (!verified.valid) return fail(BundleStatus.BAD_SIGNATURE);
    const caps = await capabilitiesAllowed(manifest);
    if (caps !== BundleStatus.OK) return fail(caps);
    const stored = registry.add(manifest);
    return stored.status === BundleStatus.OK
      ? encodeBundleReply({ op: BM_OP.INSTALL, status: BundleStatus.OK, imageId: stored.imageId })
      : fail(stored.status as Exclude<BundleStatus, 0>);
  }

  async function handle(msg: Incoming): Promise<Uint8Array> {
    const decoded = decodeBundleRequest(msg.frame);
    if (!decoded.ok) return decoded.reply;
    const req = decoded.request;
    if (req.op === BM_OP.INSTALL) return install(msg.senderServiceId, req.manifest, req.signature);
    if (req.op === BM_OP.LIST) return listReply(registry.list());
    const found = registry.get(req.name);
    return found === undefined
      ? encodeBundleFailure(BM_OP.QUERY, BundleStatus.NOT_FOUND)
      : encodeBundleReply({ op: BM_OP.QUERY, status: BundleStatus.OK, imageId: found.imageId, version: found.version });
  }

  task.serve(recv, handle);
  return Object.freeze({
    task,
    endpoint: send,
    connectPolicyd(cap: SendCap): void {
      if (policy !== undefined) throw new BundleError('ALREADY_CONNECTED', 'policyd is already connected');
      policy = new PolicyClient(taskTransport(task, cap), { timeoutMs: options.policyTimeoutMs ?? 500 });
    },
    connectKeystore(cap: SendCap): void {
      if (keystore !== undefined) throw new BundleError('ALREADY_CONNECTED', 'keystored is already connected');
      keystore = new KeystoreClient(taskTransport(task, cap), { timeoutMs: options.keystoreTimeoutMs ?? 1000 });
    },
  });
}
