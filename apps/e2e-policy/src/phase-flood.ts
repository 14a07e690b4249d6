import { IPC_LIMITS, type SendCap, type Task } from '@nexus/ipc';
import { RouteClient, type RouteOutcome, encodeLogRequest, encodePolicyRequest, LO_LEVEL, LO_OP, PO_OP, PolicyClient, taskTransport } from '@nexus/proto';
import type { BootedSystem } from './boot-system.js';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';
import { syncJournal } from './sync-journal.js';

/** Hostile messages per service, per flood round (bounded: the whole flood stays below logd's ring). */
const PER_ROUND = 96;
/** Flood rounds; between two, the honest client asks its questions. */
const ROUNDS = 8;
/** Concurrent hostile VERSION questions (more than its share of policyd's queue). */
const PARALLEL = 12;
/** Real ROUTE calls of the hostile task per round (bounded: each one is a decision policyd records). */
const HOSTILE_ROUTES = 4;
/** Services the hostile task asks init-lite for; the policy grants it none of them. */
const HOSTILE_TARGETS = ['logd', 'keystored'] as const;
/** Real ms one honest answer may take under flood (the clients' own timeouts are 500–1000 ms). */
export const FLOOD_ANSWER_BOUND_MS = 250;
/** Real ms the system gets after the flood to answer everyone normally again, by itself. */
export const FLOOD_RECOVERY_BOUND_MS = 2000;

/** What the flood measured, for the marker and its tests. */
export interface FloodReport {
  readonly honest: number;
  readonly honestWrong: number;
  readonly slowestMs: number;
  readonly hostileSent: number;
  readonly hostileRefused: number;
  /** Hostile ROUTEs answered OK (with a right), during the flood or after it; the policy grants it none. */
  readonly hostileRouted: number;
  readonly lostDecisions: bigint;
  readonly rightsOverShare: readonly string[];
  readonly recoveredMs: number | undefined;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The servers a flood could fill, with their tasks. */
function servers(system: BootedSystem): readonly (readonly [string, Task, SendCap])[] {
  return [
    ['policyd', system.policyd.task, system.policyd.endpoint],
    ['logd', system.logd.task, system.logd.endpoint],
    ['init-lite', system.initLite.task, system.initLite.endpoint],
    ['keystored', system.keystored.task, system.keystored.endpoint],
  ];
}

/** The honest client's gated operations, each with the answer the policy gives: every one must get it. */
async function honestRound(ctx: PhaseContext): Promise<{ wrong: number; slowestMs: number; count: number }> {
  const { system } = ctx;
  const policy = await ctx.client.policy();
  const self = ctx.client.task.serviceId;
  let wrong = 0;
  let slowestMs = 0;
  let count = 0;
  const timed = async (ask: () => Promise<boolean>): Promise<void> => {
    const start = performance.now();
    const right = await ask();
    slowestMs = Math.max(slowestMs, performance.now() - start);
    count++;
    if (!right) wrong++;
  };
  await timed(async () => (await policy?.send((nonce) => ({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce, subjectId: self, cap: 'audit.read' })))?.status === 'allow');
  await timed(async () => (await policy?.send((nonce) => ({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce, subjectId: self, cap: 'crypto.sign' })))?.status === 'deny');
  await timed(async () => {
    const out = await new RouteClient(system.client, system.clientRouter, { timeoutMs: 1000 }).route('logd');
    if (out.status === 'ok') system.client.release(out.cap);
    return out.status === 'ok';
  });
  return { wrong, slowestMs, count };
}

/** The hostile task's clients over its own rights: policyd's VERSION and init-lite's router. */
interface HostileClients {
  readonly policy: PolicyClient;
  readonly router: RouteClient;
}

/**
 * Whether the hostile task's ROUTE after the flood counts as answered normally: only a real DENY
 * from init-lite does (a timeout is no answer, and anything else is not what the policy says).
 *
 * @example
 * hostileRouteDenied({ status: 'deny' }); // true
 * hostileRouteDenied({ status: 'timeout' }); // false
 */
export function hostileRouteDenied(out: RouteOutcome): boolean {
  return out.status === 'deny';
}

/** Asks the router as the hostile task; a right it was handed is released at once and reported. */
async function hostileRoute(hostile: Task, router: RouteClient, target: string): Promise<RouteOutcome> {
  const out = await router.route(target);
  if (out.status === 'ok') hostile.release(out.cap);
  return out;
}

/**
 * One round of the hostile task: VERSION questions, one-way log appends, right-carrying junk and
 * real ROUTE calls to init-lite, junk to keystored.
 */
async function hostileRound(
  hostile: Task,
  rights: Readonly<Record<string, SendCap>>,
  clients: HostileClients,
  round: number,
): Promise<{ sent: number; refused: number; routed: number }> {
  let sent = 0;
  let refused = 0;
  let routed = 0;
  const oneWay = (cap: SendCap, frame: Uint8Array, withRight: boolean): void => {
    const dup = withRight ? hostile.duplicate(cap) : undefined;
    try {
      hostile.send(cap, frame, dup === undefined ? undefined : { cap: dup });
      sent++;
    } catch {
      if (dup !== undefined) hostile.release(dup);
      refused++;
    }
  };
  for (let i = 0; i < PER_ROUND; i++) {
    // One process stands in for a preemptive kernel: the hostile task yields now and then, as its
    // syscalls would, instead of holding the only thread (which no task can do on the real system).
    if ((i & 7) === 7) await turn();
    const n = round * PER_ROUND + i;
    oneWay(rights.logd as SendCap, encodeLogRequest({ version: 2, op: LO_OP.APPEND, nonce: BigInt(n + 1), level: LO_LEVEL.INFO, scope: 'flood', msg: 'x'.repeat(120), fields: new Uint8Array(0) }), false);
    oneWay(rights.init as SendCap, encodePolicyRequest({ version: 2, op: PO_OP.ROUTE, nonce: n + 1, requester: 'flood-hostile', target: 'keystored' }), true);
    oneWay(rights.keystored as SendCap, Uint8Array.of(0x4b, 0x53, 0x01, n & 0xff), true);
  }
  let next = 0;
  // The ROUTEs go out while the VERSION questions fill policyd, which init-lite must ask for each one.
  const routes = Array.from({ length: HOSTILE_ROUTES }, async (_, i) => {
    sent++;
    const out = await hostileRoute(hostile, clients.router, HOSTILE_TARGETS[i % HOSTILE_TARGETS.length] ?? 'logd');
    if (out.status === 'ok') routed++;
  });
  await Promise.all([
    ...routes,
    ...Array.from({ length: PARALLEL }, async () => {
      while (next < PER_ROUND) {
        next++;
        sent++;
        await clients.policy.version();
      }
    }),
  ]);
  return { sent, refused, routed };
}

function overShare(system: BootedSystem, base: ReadonlyMap<string, number>): string[] {
  return servers(system)
    .filter(([name, task]) => system.kernel.rightsHeld(task) > (base.get(name) ?? 0) + IPC_LIMITS.maxInboundCapsPerSender)
    .map(([name]) => name);
}

/**
 * Runs the flood and measures it: a second, ordinary task (`flood-hostile`, holding one right to
 * each of policyd, logd, init-lite and keystored, as any task may) floods them in bounded rounds,
 * real ROUTE calls to init-lite included, while the selftest client asks its gated questions
 * between the rounds; then the flood stops and the system is given {@link FLOOD_RECOVERY_BOUND_MS}
 * of real time to answer everyone normally again, the hostile task included (its VERSION allowed,
 * its ROUTE denied), with no harness action.
 *
 * @example
 * const report = await runFlood(ctx); report.honestWrong; // 0
 */
export async function runFlood(ctx: PhaseContext): Promise<FloodReport> {
  const { system } = ctx;
  await system.policyd.flush();
  const lostBefore = system.policyd.auditStats().lostDecisions;
  const base = new Map(servers(system).map(([name, task]) => [name, system.kernel.rightsHeld(task)]));
  const hostile = system.kernel.spawn('flood-hostile');
  const rights = {
    logd: system.kernel.grant(system.logd.endpoint, hostile),
    init: system.kernel.grant(system.initLite.endpoint, hostile),
    keystored: system.kernel.grant(system.keystored.endpoint, hostile),
  };
  const clients: HostileClients = {
    policy: new PolicyClient(taskTransport(hostile, system.kernel.grant(system.policyd.endpoint, hostile))),
    router: new RouteClient(hostile, rights.init, { timeoutMs: 1000 }),
  };
  let honest = 0;
  let honestWrong = 0;
  let slowestMs = 0;
  let hostileSent = 0;
  let hostileRefused = 0;
  let hostileRouted = 0;
  const over = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    // The hostile round and the honest questions run at once: the client asks while the queues are full.
    const [h, c] = await Promise.all([hostileRound(hostile, rights, clients, round), honestRound(ctx)]);
    hostileSent += h.sent;
    hostileRefused += h.refused;
    hostileRouted += h.routed;
    honest += c.count;
    honestWrong += c.wrong;
    slowestMs = Math.max(slowestMs, c.slowestMs);
    for (const name of overShare(system, base)) over.add(name);
  }
  // The flood is over: recovery must come by itself, within a bounded real time.
  const stopped = performance.now();
  let recoveredMs: number | undefined;
  while (performance.now() - stopped < FLOOD_RECOVERY_BOUND_MS) {
    for (let i = 0; i < 4; i++) await turn();
    const c = await honestRound(ctx);
    const own = await clients.policy.version(); // the flood task's own share is back too
    const ownRoute = await hostileRoute(hostile, clients.router, 'logd');
    if (ownRoute.status === 'ok') hostileRouted++;
    if (c.wrong === 0 && own.allow && hostileRouteDenied(ownRoute) && overShare(system, base).length === 0) {
      recoveredMs = performance.now() - stopped;
      break;
    }
    await sleep(50);
  }
  await system.policyd.flush();
  return {
    honest, honestWrong, slowestMs, hostileSent, hostileRefused, hostileRouted,
    lostDecisions: system.policyd.auditStats().lostDecisions - lostBefore,
    rightsOverShare: [...over],
    recoveredMs,
  };
}

/**
 * The marker's verdict on a {@link FloodReport}: `undefined` only when the flood really ran (the
 * hostile task sent and was refused), no hostile ROUTE was granted, every honest question got its
 * policy's answer within {@link FLOOD_ANSWER_BOUND_MS}, no decision record was lost, no server's
 * rights table grew past the sender's share, and the system recovered by itself within
 * {@link FLOOD_RECOVERY_BOUND_MS}.
 *
 * @example
 * floodVerdict(report); // undefined, or e.g. '2 of 24 honest answers were wrong under flood'
 */
export function floodVerdict(r: FloodReport): string | undefined {
  if (r.hostileSent === 0 || r.hostileRefused === 0) return 'the flood never filled a queue';
  if (r.hostileRouted > 0) return `the hostile task was routed ${r.hostileRouted} times without a grant`;
  if (r.honestWrong > 0) return `${r.honestWrong} of ${r.honest} honest answers were wrong under flood`;
  if (r.slowestMs > FLOOD_ANSWER_BOUND_MS) return `an honest answer took ${Math.round(r.slowestMs)} ms under flood (bound ${FLOOD_ANSWER_BOUND_MS} ms)`;
  if (r.lostDecisions > 0n) return `${r.lostDecisions} decision records were lost`;
  if (r.rightsOverShare.length > 0) return `rights tables grew past the sender's share: ${r.rightsOverShare.join(', ')}`;
  if (r.recoveredMs === undefined) return `no recovery within ${FLOOD_RECOVERY_BOUND_MS} ms after the flood`;
  return undefined;
}

/**
 * Phase `flood`: one hostile task floods policyd, logd, init-lite and keystored while the client
 * keeps asking; earned only when {@link floodVerdict} finds nothing and the audit trail read back
 * afterwards still verifies against policyd's checkpoint.
 *
 * @example
 * await phaseFlood(ctx); // [{ name: 'flood contained' }]
 */
export async function phaseFlood(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  const report = await runFlood(ctx);
  const verdict = floodVerdict(report);
  if (verdict !== undefined) return [marker('flood contained', verdict)];
  const synced = await syncJournal(ctx);
  return [marker('flood contained', typeof synced === 'string' ? synced : undefined)];
}
