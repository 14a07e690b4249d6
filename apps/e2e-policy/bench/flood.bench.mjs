// What one hostile task's flood costs a well-behaved client, measured against the same client alone
// in the same run (issue #13). Each round boots the whole system (dist/), then:
//   1. idle: the selftest client asks policyd QUESTIONS gated questions one after another (an
//      allowed check_cap_delegated about itself, over a route init-lite handed it) and times each;
//   2. flood: a second, ordinary task floods policyd (VERSION, 12 at a time), logd (one-way general
//      APPENDs), init-lite and keystored (right-carrying junk) without pause while the client asks
//      the same questions; wrong answers (a DENY for the allowed question) are counted;
//   3. the flood stops: time until the client's question AND the flooding task's own VERSION are
//      answered normally again and the audit sink is back on logd;
//   4. heap: a flood of HEAP_MESSAGES hostile messages alone; used heap after a forced GC before it
//      and after it stopped (per 100,000 hostile messages), and the peak sampled during it. Not a test: it prints figures (min / median /
// max over ROUNDS) and the machine load. Run: npm run bench -w @nexus/e2e-policy (builds first).
import { loadavg, cpus } from 'node:os';
import { bootSystem, defaultPolicyDir } from '@nexus/e2e-policy';
import { RouteClient } from '@nexus/init-lite';
import { encodeLogRequest, encodePolicyRequest, LO_LEVEL, LO_OP, PO_OP, PolicyClient, taskTransport } from '@nexus/proto';

const ROUNDS = 3;
const QUESTIONS = 300;
const PARALLEL = 12;
const RECOVERY_LIMIT_MS = 5000;
const HEAP_MESSAGES = 20_000;
const gc = globalThis.gc ?? (() => {});
const turn = () => new Promise((resolve) => setImmediate(resolve));

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: quantile(sorted, 0.5), max: sorted.at(-1) };
}

async function honestClient(system) {
  const out = await new RouteClient(system.client, system.clientRouter).route('policyd');
  if (out.status !== 'ok') throw new Error(`route to policyd: ${out.status}`);
  return new PolicyClient(taskTransport(system.client, out.cap));
}

async function ask(policy, self, n) {
  const latencies = [];
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const verdict = await policy.checkCapDelegated(self, 'audit.read');
    latencies.push((performance.now() - start) * 1000);
    if (!verdict.allow) wrong++;
  }
  return { latencies: latencies.sort((a, b) => a - b), wrong };
}

/** Floods until `stop.now` (or `limit` messages); returns the hostile messages sent (refused ones included) and the peak heap. */
async function flood(system, hostile, stop, limit = Infinity) {
  const rights = {
    logd: system.kernel.grant(system.logd.endpoint, hostile),
    init: system.kernel.grant(system.initLite.endpoint, hostile),
    keystored: system.kernel.grant(system.keystored.endpoint, hostile),
  };
  const policy = new PolicyClient(taskTransport(hostile, system.kernel.grant(system.policyd.endpoint, hostile)));
  let messages = 0;
  let peak = 0;
  const oneWay = (cap, frame, withRight) => {
    const dup = withRight ? hostile.duplicate(cap) : undefined;
    try {
      hostile.send(cap, frame, dup === undefined ? undefined : { cap: dup });
    } catch {
      if (dup !== undefined) hostile.release(dup);
    }
    messages++;
  };
  const versions = Array.from({ length: PARALLEL }, async () => {
    while (!stop.now && messages < limit) {
      await policy.version();
      messages++;
    }
  });
  let n = 0;
  while (!stop.now && messages < limit) {
    for (let i = 0; i < 8; i++, n++) {
      oneWay(rights.logd, encodeLogRequest({ version: 2, op: LO_OP.APPEND, nonce: BigInt(n + 1), level: LO_LEVEL.INFO, scope: 'flood', msg: 'x'.repeat(120), fields: new Uint8Array(0) }), false);
      oneWay(rights.init, encodePolicyRequest({ version: 2, op: PO_OP.ROUTE, nonce: (n % 0xffffffff) + 1, requester: 'bench-hostile', target: 'keystored' }), true);
      oneWay(rights.keystored, Uint8Array.of(0x4b, 0x53, 0x01, n & 0xff), true);
    }
    if ((n & 255) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    await turn(); // a preemptive kernel interleaves tasks; one process must yield to stand in for it
  }
  await Promise.all(versions);
  return { messages, peak, policy };
}

async function round() {
  const system = await bootSystem({ policyDir: defaultPolicyDir(), console: () => {} });
  const self = system.client.serviceId;
  const policy = await honestClient(system);
  await ask(policy, self, 50); // warm-up
  const idle = await ask(policy, self, QUESTIONS);
  await system.policyd.flush();
  const lostBefore = system.policyd.auditStats().lostDecisions;
  const hostile = system.kernel.spawn('bench-hostile');
  const stop = { now: false };
  const flooding = flood(system, hostile, stop);
  const startFlood = performance.now();
  const under = await ask(policy, self, QUESTIONS);
  const floodSeconds = (performance.now() - startFlood) / 1000;
  stop.now = true;
  const { messages, policy: hostilePolicy } = await flooding;
  const stopped = performance.now();
  let recoveryMs = Number.NaN;
  while (performance.now() - stopped < RECOVERY_LIMIT_MS) {
    const honest = await policy.checkCapDelegated(self, 'audit.read');
    const own = await hostilePolicy.version();
    const s = system.policyd.auditStats();
    if (honest.allow && own.allow && s.sink === 'primary') {
      recoveryMs = performance.now() - stopped;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await system.policyd.flush();
  const lost = system.policyd.auditStats().lostDecisions - lostBefore;
  // Heap: the same flood alone, HEAP_MESSAGES long, from a second hostile task.
  for (let i = 0; i < 8; i++) await turn();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const heapTask = system.kernel.spawn('bench-heap');
  const heapRun = await flood(system, heapTask, { now: false }, HEAP_MESSAGES);
  await system.policyd.flush();
  for (let i = 0; i < 8; i++) await turn();
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  system.kernel.kill(heapTask);
  system.kernel.kill(hostile);
  return {
    idleP50: quantile(idle.latencies, 0.5), idleP99: quantile(idle.latencies, 0.99),
    floodP50: quantile(under.latencies, 0.5), floodP99: quantile(under.latencies, 0.99),
    ratioP99: quantile(under.latencies, 0.99) / quantile(idle.latencies, 0.99),
    perSecond: QUESTIONS / floodSeconds,
    wrong: under.wrong + idle.wrong, lost: Number(lost), messages,
    heapPer100k: ((heapAfter - heapBefore) / heapRun.messages) * 100_000, peakMiB: (heapRun.peak - heapBefore) / 2 ** 20,
    recoveryMs,
  };
}

const loadBefore = loadavg();
const results = [];
for (let r = 0; r < ROUNDS; r++) results.push(await round());
const loadAfter = loadavg();
const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const line = (label, key, unit = '', digits = 1) => {
  const s = stats(results.map((x) => x[key]));
  console.log(`${label.padEnd(44)} ${fmt(s.min, digits)} / ${fmt(s.median, digits)} / ${fmt(s.max, digits)}${unit}`);
};
console.log(`flood bench: ${ROUNDS} rounds × ${QUESTIONS} honest questions; ${cpus().length} CPUs, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')} → ${loadAfter.map((l) => l.toFixed(2)).join(' ')}${globalThis.gc ? '' : ' (no --expose-gc: heap figures include garbage)'}`);
console.log('                                             min / median / max');
line('honest p50 idle', 'idleP50', ' µs');
line('honest p99 idle', 'idleP99', ' µs');
line('honest p50 under flood', 'floodP50', ' µs');
line('honest p99 under flood', 'floodP99', ' µs');
line('p99 under flood / p99 idle (goal ≤ 5)', 'ratioP99', '×', 2);
line('honest decisions/s under flood', 'perSecond', '', 0);
line('honest wrong answers (goal 0)', 'wrong', '', 0);
line('decision records lost (goal 0)', 'lost', '', 0);
line('hostile messages while the client asked', 'messages', '', 0);
line('heap growth per 100k hostile messages', 'heapPer100k', ' B', 0);
line(`peak heap above start (${HEAP_MESSAGES} msgs)`, 'peakMiB', ' MiB', 2);
line('recovery after the flood stops', 'recoveryMs', ' ms', 1);
