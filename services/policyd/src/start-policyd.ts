import { createPublicKey } from 'node:crypto';
import { AuditChain, AuditSink, CheckpointSealer, auditKeyId, type AuditSinkStats, type Checkpoint, type SealerStats, type UartPort } from '@nexus/audit';
import { IPC_LIMITS, type Kernel, type SendCap, type Task } from '@nexus/ipc';
import { KeystoreClient, PO_MAX_FRAME, taskTransport } from '@nexus/proto';
import type { Policy } from '@nexus/sel';
import { loadPolicyDir } from '@nexus/sel/node';
import { KernelAuditTransport } from './kernel-audit-transport.js';
import { keystoreSigner } from './keystore-signer.js';
import { PolicyFrameHandler } from './policy-frame-handler.js';
import { PolicydError } from './policyd-error.js';

/** Options of {@link startPolicyd}. Exactly one of `policyDir` and `policy` is required; all are checked before anything is spawned. */
export interface PolicydOptions {
  /** Directory of `*.toml` policy files, compiled once at boot. */
  readonly policyDir?: string;
  /** An already compiled policy (tests). */
  readonly policy?: Policy;
  /**
   * A candidate policy to evaluate in shadow next to the active one: a directory of `*.toml`
   * (compiled once at boot, a `PolicyError` thrown as is) or a compiled policy. Every decision is
   * also decided under it; answers never change, and a record whose shadow decision differs
   * carries it. Fixed for policyd's life, like the active policy.
   */
  readonly shadow?: string | Policy;
  /** The console: the ready line, and the audit UART fallback. */
  readonly console: UartPort;
  /** A checkpoint is kept every N chained records. Default 64. */
  readonly checkpointEvery?: number;
  /** Console lines per `logRetryMs` window; an allow in flight to logd holds one in reserve. Default 64. */
  readonly uartBudget?: number;
  /**
   * Records offered to logd and not yet confirmed. Default 1024: they travel in APPEND_BLOCKs of up
   * to 64, so at most 16 full blocks are pending (under the kernel's 64 pending calls), and a durable
   * logd has a burst's worth of room while it syncs.
   */
  readonly maxInFlight?: number;
  /** How long one APPEND to logd may take, in ms. Default 1000. */
  readonly logTimeoutMs?: number;
  /**
   * After an APPEND failed or timed out, logd is tried again (one probe record) only this many ms
   * later, and the console budget refills at most once per this interval. Default 1000.
   */
  readonly logRetryMs?: number;
  /**
   * policyd's endpoint `maxFrame`. Default 4096: above the protocol's 512 so an oversized PO frame
   * reaches policyd and is answered TOO_LARGE and audited; larger frames the kernel refuses.
   */
  readonly maxFrame?: number;
  /** policyd's endpoint queue depth. Default 16. */
  readonly queueDepth?: number;
  /** A checkpoint is sealed (once keystored is connected) after this many records. Default 256. */
  readonly sealEveryRecords?: number;
  /** ...and when this many ms passed since the last one, on the kernel clock or in real time. Default 1000. */
  readonly sealEveryMs?: number;
  /** How long one SEAL to keystored may take, ms; longer chains the checkpoint unsealed. Default 1000. */
  readonly sealTimeoutMs?: number;
}

/** What the boot harness gets from {@link startPolicyd}. Nothing in it changes the policy. */
export interface PolicydHandle {
  readonly task: Task;
  /** policyd's send right, held by the policyd task: grant copies of it to clients. */
  readonly endpoint: SendCap;
  /** The policy version, `sha256:<64 hex>`. */
  readonly version: string;
  /** The compiled policy policyd decides with: frozen, fixed for policyd's life (the harness reads it, e.g. to learn from the journal). */
  readonly policy: Policy;
  /** The shadow policy's version, when one is evaluated. */
  readonly shadowVersion: string | undefined;
  /** Gives policyd its channel to logd (boot, or after a logd restart) and tries logd again at once. `cap` must be held by `task`. */
  connectLogd(cap: SendCap): void;
  /** The chain's checkpoint at its last record (on demand). */
  checkpoint(): Checkpoint;
  /** The automatic checkpoints, oldest first (the most recent {@link POLICYD_KEPT_CHECKPOINTS}). */
  checkpoints(): readonly Checkpoint[];
  /** The audit sink's counters. */
  auditStats(): AuditSinkStats;
  /**
   * Gives policyd its channel to keystored (`cap` held by `task`), once: fetches the audit public
   * key (AUDIT_PUBKEY) and starts sealing checkpoints with keystored's SEAL. Resolves `true` when
   * sealing is wired, `false` when keystored gave no audit key (the chain then stays unsealed).
   */
  connectKeystore(cap: SendCap): Promise<boolean>;
  /**
   * Resolves once every record offered to logd has been confirmed, re-routed or counted lost; with
   * sealing wired, also ends the chain on a sealed checkpoint when keystored allows it.
   */
  flush(): Promise<void>;
  /** Shutdown: `flush()`, then the sealer stops (no timer left). Decisions are still answered and audited. */
  close(): Promise<void>;
  /** The sealer's counters (all zero before `connectKeystore`). */
  sealerStats(): SealerStats;
}

/** How many automatic checkpoints a handle keeps (the oldest are dropped first). */
export const POLICYD_KEPT_CHECKPOINTS = 64;

function checkCount(value: number | undefined, fallback: number, min: number, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new PolicydError('BAD_VALUE', `${what} must be an integer in ${min}..${max}`);
  }
  return n;
}

function loadPolicy(options: PolicydOptions): Policy {
  if ((options.policyDir === undefined) === (options.policy === undefined)) {
    throw new PolicydError('BAD_VALUE', 'exactly one of policyDir and policy is required');
  }
  return options.policy ?? loadPolicyDir(options.policyDir ?? '');
}

/**
 * Boots policyd: compiles the policy once (a `PolicyError` is thrown as is: there is no fallback
 * policy), spawns the task `policyd`, creates and serves its endpoint, wires the audit chain and sink
 * (logd through {@link KernelAuditTransport} once connected, the console otherwise; checkpoints
 * sealed by keystored once `connectKeystore` is called) and prints
 * `policyd: ready (ver=<8 hex>)`. Bad options throw `PolicydError('BAD_VALUE')`.
 *
 * @example
 * const policyd = startPolicyd(kernel, { policyDir: 'recipes/policy', console: { write: (l) => console.log(l) } });
 * const route = kernel.grant(policyd.endpoint, client);
 * policyd.connectLogd(kernel.grant(logd.auditEndpoint, policyd.task));
 */
export function startPolicyd(kernel: Kernel, options: PolicydOptions): PolicydHandle {
  const policy = loadPolicy(options);
  const shadow = typeof options.shadow === 'string' ? loadPolicyDir(options.shadow) : options.shadow;
  if (shadow !== undefined && (typeof shadow !== 'object' || shadow === null || typeof shadow.decide !== 'function' || typeof shadow.version !== 'string')) {
    throw new PolicydError('BAD_VALUE', 'shadow must be a policy directory or a compiled policy');
  }
  const checkpointEvery = checkCount(options.checkpointEvery, 64, 1, 'checkpointEvery');
  const uartBudget = checkCount(options.uartBudget, 64, 0, 'uartBudget');
  const maxInFlight = checkCount(options.maxInFlight, 1024, 0, 'maxInFlight');
  const logTimeoutMs = checkCount(options.logTimeoutMs, 1000, 1, 'logTimeoutMs');
  const logRetryMs = checkCount(options.logRetryMs, 1000, 0, 'logRetryMs');
  const maxFrame = checkCount(options.maxFrame, 4096, PO_MAX_FRAME + 1, 'maxFrame', IPC_LIMITS.maxFrameBytes);
  const queueDepth = checkCount(options.queueDepth, 16, 1, 'queueDepth', IPC_LIMITS.maxQueueDepth);
  const sealEveryRecords = checkCount(options.sealEveryRecords, 256, 1, 'sealEveryRecords');
  const sealEveryMs = checkCount(options.sealEveryMs, 1000, 1, 'sealEveryMs');
  const sealTimeoutMs = checkCount(options.sealTimeoutMs, 1000, 1, 'sealTimeoutMs');

  const task = kernel.spawn('policyd');
  const { recv, send } = kernel.createEndpoint(task, { maxFrame, queueDepth });
  const kept: Checkpoint[] = [];
  const chain = new AuditChain({
    policyVersion: policy.version,
    checkpointEvery,
    onCheckpoint: (checkpoint) => {
      if (kept.push(checkpoint) > POLICYD_KEPT_CHECKPOINTS) kept.shift();
    },
  });
  const now = (): bigint => kernel.clock.now();
  const transport = new KernelAuditTransport(task, { timeoutMs: logTimeoutMs });
  const sink = new AuditSink({
    chain, primary: transport, uart: options.console, uartBudget, maxInFlight, now,
    retryAfterNs: BigInt(logRetryMs) * 1_000_000n,
  });
  const handler = new PolicyFrameHandler({ policy, sink, now, ...(shadow === undefined ? {} : { shadow }) });
  task.serve(recv, (msg) => handler.handlePolicyFrame(msg.senderServiceId, msg.frame));
  let sealer: CheckpointSealer | undefined;
  let keystoreConnected = false;
  let closed = false;

  async function connectKeystore(cap: SendCap): Promise<boolean> {
    if (keystoreConnected) throw new PolicydError('ALREADY_CONNECTED', 'keystored is already connected');
    keystoreConnected = true;
    const keystore = new KeystoreClient(taskTransport(task, cap), { timeoutMs: sealTimeoutMs });
    const key = await keystore.auditPubkey();
    if (key.status !== 'ok' || closed) return false;
    // The key id every checkpoint names is computed here from the key itself, not taken on trust.
    const keyId = auditKeyId(createPublicKey({ key: Buffer.from(key.auditKey.spkiDer), format: 'der', type: 'spki' }));
    // Off the decision path: the sealer observes the sink, and signs in its own promise chain.
    sealer = new CheckpointSealer({
      sink, signer: keystoreSigner(keystore), keyId, now,
      everyRecords: sealEveryRecords, everyNs: BigInt(sealEveryMs) * 1_000_000n, signTimeoutMs: sealTimeoutMs,
    });
    sealer.requestSeal();
    return true;
  }

  options.console.write(`policyd: ready (ver=${policy.version.slice('sha256:'.length, 'sha256:'.length + 8)})`);

  return Object.freeze({
    task,
    endpoint: send,
    version: policy.version,
    policy,
    shadowVersion: shadow?.version,
    connectLogd: (cap: SendCap): void => {
      transport.connect(cap);
      sink.retryPrimary();
    },
    checkpoint: (): Checkpoint => chain.checkpoint(),
    checkpoints: (): readonly Checkpoint[] => [...kept],
    auditStats: (): AuditSinkStats => sink.stats(),
    connectKeystore,
    flush: (): Promise<void> => {
      if (sealer !== undefined && !closed) return sealer.flush();
      // Without a sealer the pending declarations (losses, evictions logd reported) go out now.
      return sink.flush().then(() => {
        sink.declarePending();
        return sink.flush();
      });
    },
    close: (): Promise<void> => {
      if (sealer === undefined || closed) return sink.flush();
      closed = true;
      return sealer.close();
    },
    sealerStats: (): SealerStats => sealer?.stats() ?? { sealed: 0, unsealed: 0, failed: 0, lastSealedSeq: 0n, lastSealedHead: 0n },
  });
}
