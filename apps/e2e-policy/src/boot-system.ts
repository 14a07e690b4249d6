import type { webcrypto } from 'node:crypto';
import { Kernel, type SendCap, type Task } from '@nexus/ipc';
import { startBundlemgrd, type BundlemgrdHandle } from '@nexus/bundlemgrd';
import { startExecd, type ExecdHandle } from '@nexus/execd';
import { startInitLite, type InitLiteHandle } from '@nexus/init-lite';
import { startKeystored, type KeystoredHandle } from '@nexus/keystored';
import { startLogd, type LogdHandle } from '@nexus/logd';
import { startPolicyd, type PolicydHandle } from '@nexus/policyd';
import type { Policy } from '@nexus/sel';
import { SerialLine } from './serial-line.js';

/**
 * What {@link bootSystem} needs.
 *
 * @example
 * const options: BootOptions = { policyDir: 'recipes/policy', console: (l) => console.log(l) };
 */
export interface BootOptions {
  readonly policyDir: string;
  /** A candidate policy (directory or compiled) policyd decides in shadow; never changes an answer. */
  readonly shadow?: string | Policy;
  /** Where policyd's ready line goes (stdout in the app). */
  readonly console: (line: string) => void;
  /** policyd's wait for one audit APPEND, ms (default {@link LOG_TIMEOUT_MS}); tests on a loaded machine raise it. */
  readonly logTimeoutMs?: number;
  /** logd's state dir: its journals live on disk there (absent: in memory). */
  readonly stateDir?: string;
}

/**
 * The bundle publisher the harness plays: bundlemgrd trusts its public key under `name`.
 *
 * @example
 * const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', publisher.privateKey, bytes));
 */
export interface BundlePublisher {
  readonly name: string;
  readonly privateKey: webcrypto.CryptoKey;
}

/**
 * The running system, as the boot harness (the kernel's init role) holds it. The selftest client
 * holds only `clientRouter`, its channel to init-lite.
 *
 * @example
 * const system = await bootSystem({ policyDir, console: print });
 * system.client.name; // 'selftest-client'
 */
export interface BootedSystem {
  /** The policy directory policyd compiled (the active policy). */
  readonly policyDir: string;
  readonly kernel: Kernel;
  readonly uart: SerialLine;
  readonly policyd: PolicydHandle;
  /** The current logd (replaced by {@link BootedSystem.respawnLogd}). */
  readonly logd: LogdHandle;
  /** logd's state dir, when its journals are on disk. */
  readonly stateDir: string | undefined;
  readonly keystored: KeystoredHandle;
  readonly bundlemgrd: BundlemgrdHandle;
  readonly execd: ExecdHandle;
  readonly initLite: InitLiteHandle;
  readonly client: Task;
  /** The selftest client's one initial right: its channel to init-lite. */
  readonly clientRouter: SendCap;
  /** bundlemgrd's channel to init-lite (every service gets one). */
  readonly bundlemgrdRouter: SendCap;
  readonly publisher: BundlePublisher;
  /** Every task execd had the kernel spawn, in order. */
  readonly spawned: readonly Task[];
  /**
   * Spawns a new logd after a crash (on the same state dir: the dead one's storage is stopped
   * first, as a crash leaves it), rewires it both ways with policyd and swaps init-lite's right to
   * it (`initLite.replace`): anyone else reaches the new logd only by routing through init-lite.
   */
  respawnLogd(): Promise<void>;
}

/**
 * policyd's audit UART lines per logd outage: small, so the fault phase reaches the bound. The same
 * with logd's journals on disk: records travel in APPEND_BLOCKs and logd syncs a block as soon as
 * it has it, so an ALLOW holds its line about as briefly as with the journals in memory.
 */
export const UART_BUDGET = 8;
/**
 * How long policyd waits for one audit APPEND: short, so a wedged logd is seen quickly, yet above
 * what a busy shared machine stalls one process for (at 50 ms the flood phase, run beside other
 * jobs, saw overdue APPENDs that logd had answered, and audit fell back to the console).
 */
export const LOG_TIMEOUT_MS = 250;
/**
 * The same with logd's journals on disk: an APPEND is answered after its fdatasync, which a loaded
 * machine can stretch well past that; a timeout there would send records to the UART spuriously.
 */
export const DURABLE_LOG_TIMEOUT_MS = 1000;
const SERVICE_TIMEOUT_MS = 500;

function wireLogd(kernel: Kernel, policyd: PolicydHandle, stateDir: string | undefined): LogdHandle {
  const logd = startLogd(kernel, { auditWriter: policyd.task.serviceId, ...(stateDir === undefined ? {} : { stateDir }) });
  logd.connectPolicyd(kernel.grant(policyd.endpoint, logd.task));
  policyd.connectLogd(kernel.grant(logd.auditEndpoint, policyd.task));
  return logd;
}

/**
 * Boots the whole system in one kernel, each service its own task with its own identity, and hands
 * out the initial rights as the original's init did: every service a channel to policyd, policyd
 * and logd to each other, policyd and bundlemgrd to keystored, execd to bundlemgrd, init-lite one right per
 * service, and the selftest client only a channel to init-lite. A policy that does not compile
 * throws its `PolicyError` before anything else is spawned.
 *
 * @example
 * const system = await bootSystem({ policyDir: 'recipes/policy', console: (l) => console.log(l) });
 */
export async function bootSystem(options: BootOptions): Promise<BootedSystem> {
  const kernel = new Kernel();
  const uart = new SerialLine({ maxLines: 256, maxLineChars: 2048 }, options.console);
  const policyd = startPolicyd(kernel, {
    policyDir: options.policyDir,
    console: uart,
    uartBudget: UART_BUDGET,
    logTimeoutMs: options.logTimeoutMs ?? (options.stateDir === undefined ? LOG_TIMEOUT_MS : DURABLE_LOG_TIMEOUT_MS),
    ...(options.shadow === undefined ? {} : { shadow: options.shadow }),
  });
  let logd = wireLogd(kernel, policyd, options.stateDir);

  const keystored = startKeystored(kernel, { policyTimeoutMs: SERVICE_TIMEOUT_MS });
  keystored.connectPolicyd(kernel.grant(policyd.endpoint, keystored.task));
  // policyd seals its audit checkpoints with keystored's audit key (SEAL, gated on audit.seal).
  if (!(await policyd.connectKeystore(kernel.grant(keystored.endpoint, policyd.task)))) {
    throw new Error('policyd could not fetch the audit key from keystored');
  }

  const pair = (await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const publisherKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const publisher: BundlePublisher = Object.freeze({ name: 'nexus', privateKey: pair.privateKey });
  const bundlemgrd = startBundlemgrd(kernel, { trustedPublishers: { [publisher.name]: publisherKey }, policyTimeoutMs: SERVICE_TIMEOUT_MS });
  bundlemgrd.connectPolicyd(kernel.grant(policyd.endpoint, bundlemgrd.task));
  bundlemgrd.connectKeystore(kernel.grant(keystored.endpoint, bundlemgrd.task));

  const spawned: Task[] = [];
  const execd = startExecd(kernel, {
    spawn: (name) => {
      const task = kernel.spawn(name);
      spawned.push(task);
      return task;
    },
    policyTimeoutMs: SERVICE_TIMEOUT_MS,
    bundleTimeoutMs: SERVICE_TIMEOUT_MS,
  });
  execd.connectPolicyd(kernel.grant(policyd.endpoint, execd.task));
  execd.connectBundlemgrd(kernel.grant(bundlemgrd.endpoint, execd.task));

  const initLite = startInitLite(kernel, { policyTimeoutMs: SERVICE_TIMEOUT_MS });
  initLite.connectPolicyd(kernel.grant(policyd.endpoint, initLite.task));
  const services: readonly (readonly [string, SendCap])[] = [
    ['policyd', policyd.endpoint],
    ['logd', logd.endpoint],
    ['keystored', keystored.endpoint],
    ['bundlemgrd', bundlemgrd.endpoint],
    ['execd', execd.endpoint],
  ];
  for (const [name, endpoint] of services) initLite.register(name, kernel.grant(endpoint, initLite.task));
  const bundlemgrdRouter = kernel.grant(initLite.endpoint, bundlemgrd.task);

  const client = kernel.spawn('selftest-client');
  const clientRouter = kernel.grant(initLite.endpoint, client);

  return {
    policyDir: options.policyDir,
    kernel,
    uart,
    policyd,
    get logd(): LogdHandle {
      return logd;
    },
    stateDir: options.stateDir,
    keystored,
    bundlemgrd,
    execd,
    initLite,
    client,
    clientRouter,
    bundlemgrdRouter,
    publisher,
    spawned,
    async respawnLogd(): Promise<void> {
      if (logd.task.alive) kernel.kill(logd.task);
      await logd.close();
      logd = wireLogd(kernel, policyd, options.stateDir);
      initLite.replace('logd', kernel.grant(logd.endpoint, initLite.task));
    },
  };
}
