// Cost of an audited decision, each figure against a baseline measured in the same run, in rounds
// that interleave baseline and measured path (so machine noise hits both alike). Lines:
//   bare decide        `policy.decide` on the shipped recipes/policy (the in-process baseline).
//   handlePolicyFrame  decode, identity, decide, chain + SHA-256, encode, with a sink whose primary
//                      accepts every record at once; ratio to bare decide.
//   + shadow policy    the same with a candidate policy decided next to the active one.
//   echo round trip    a client task `call`ing a task that replies the same frame over @nexus/ipc:
//                      the bare kernel round trip (the end-to-end baseline).
//   audited e2e        client → kernel → policyd → decision → record in an APPEND_BLOCK to the real
//                      @nexus/logd (memory ring) → confirmed; the round's time includes the final
//                      `flush()`, so every record of the round is confirmed by logd in it.
//   ratio e2e / echo   per round; min / median / max over the rounds.
//   sustained          CLIENTS client tasks, LANES calls in flight each, calling policyd for SUSTAIN_MS, logd in memory and
//                      then on disk (a fresh temporary state dir, removed after): decisions per
//                      second end to end, with every record confirmed by logd (0 lost, 0 to UART).
// Every end-to-end part asserts lost = 0 and toUart = 0 and that logd confirmed each decision. The
// sustained lines also print the records policyd declared evicted next to logd's own `dropped`
// count: a memory ring evicts (4096 records), a durable journal should not.
// Not a test: it prints figures. Run: npm run bench -w @nexus/policyd (builds first; imports dist/).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditChain, AuditSink } from '@nexus/audit';
import { Kernel, serviceIdFromName } from '@nexus/ipc';
import { startLogd } from '@nexus/logd';
import { PolicyFrameHandler, startPolicyd } from '@nexus/policyd';
import { encodePolicyRequest } from '@nexus/proto';
import { loadPolicyDir } from '@nexus/sel/node';

const RECIPES = fileURLToPath(new URL('../../../recipes/policy', import.meta.url));
const policy = loadPolicyDir(RECIPES);
const ROUNDS = 9;
const DECIDE_OPS = 100_000;
const HANDLER_OPS = 10_000;
const E2E_OPS = 3_000;
const SUSTAIN_MS = 10_000;
const CLIENTS = 4; // one task per MIX sender (task names are unique)
const LANES = 2; // concurrent calls per client task (policyd's queue gives each sender 8)
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadStart = load();

// A fixed mix of allowed and denied questions, as both queries and PO frames from their own sender.
const MIX = [
  { sender: 'keystored', action: 'crypto.sign', req: { version: 1, op: 4, subjectId: serviceIdFromName('keystored'), cap: 'crypto.sign' } },
  { sender: 'selftest-client', action: 'proc.spawn', target: '7', req: { version: 2, op: 3, nonce: 1, requester: 'selftest-client', imageId: 7 } },
  { sender: 'bundlemgrd', action: 'ipc.route', target: 'execd', req: { version: 2, op: 2, nonce: 2, requester: 'bundlemgrd', target: 'execd' } },
  { sender: 'demo.testsvc', action: 'ipc.core', req: { version: 1, op: 1, name: 'demo.testsvc' } },
];
const queries = MIX.map((m) => ({ subject: serviceIdFromName(m.sender), action: m.action, target: m.target }));
const frames = MIX.map((m) => ({ sender: serviceIdFromName(m.sender), frame: encodePolicyRequest(m.req) }));

const spread = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};

/** ns per op of one timed run of `run(ops)`. */
async function time(ops, run) {
  const start = process.hrtime.bigint();
  await run(ops);
  return Number(process.hrtime.bigint() - start) / ops;
}

let sinkHole = 0;
const bareDecide = (n) => {
  for (let i = 0; i < n; i++) sinkHole += policy.decide(queries[i & 3]).allow ? 1 : 0;
};

let clock = 0n;
const now = () => (clock += 1000n);
function frameHandler(shadow) {
  const chain = new AuditChain({ policyVersion: policy.version });
  const sink = new AuditSink({ chain, primary: { ready: () => true, offer: () => Promise.resolve(true) }, uart: { write() {} }, now });
  const handler = new PolicyFrameHandler({ policy, sink, now, ...(shadow ? { shadow } : {}) });
  const run = async (n) => {
    for (let i = 0; i < n; i++) {
      const { sender, frame } = frames[i & 3];
      sinkHole += handler.handlePolicyFrame(sender, frame).byteLength;
      // Let confirmations settle before the in-flight bound sends records to the UART.
      if ((i & 31) === 31) await sink.flush();
    }
    await sink.flush();
  };
  return { run, sink };
}

/**
 * One kernel with policyd, the real logd (audit endpoint granted to policyd, as the boot wiring
 * does), an echo task, and one client task per MIX sender.
 */
function system(stateDir) {
  const kernel = new Kernel();
  const policyd = startPolicyd(kernel, { policy, console: { write() {} } });
  const logd = startLogd(kernel, {
    auditWriter: policyd.task.serviceId,
    // On disk: room for the whole sustained run, so a full journal is not what is measured.
    ...(stateDir === undefined ? {} : { stateDir, auditQuotaBytes: 1 << 30 }),
  });
  logd.connectPolicyd(kernel.grant(policyd.endpoint, logd.task));
  policyd.connectLogd(kernel.grant(logd.auditEndpoint, policyd.task));
  const echo = kernel.spawn('echo');
  const echoEp = kernel.createEndpoint(echo, { maxFrame: 4096 });
  echo.serve(echoEp.recv, (msg) => msg.frame);
  const clients = MIX.map((m) => {
    const task = kernel.spawn(m.sender);
    return { task, route: kernel.grant(policyd.endpoint, task), echo: kernel.grant(echoEp.send, task), frame: encodePolicyRequest(m.req) };
  });
  return { kernel, policyd, logd, clients };
}

/** Throws unless every decision so far was confirmed by logd: nothing lost, nothing on the UART. */
function assertConfirmed(policyd, expected, what) {
  const s = policyd.auditStats();
  if (s.lost !== 0n || s.toUart !== 0n || s.inFlight !== 0 || s.decisions !== BigInt(expected) || s.recordedDecisions !== s.decisions) {
    throw new Error(`${what}: ${s.decisions} decisions (expected ${expected}), ${s.recordedDecisions} recorded, ${s.toUart} to uart, ${s.lost} lost, ${s.inFlight} in flight`);
  }
  return s;
}

// In-process rounds: bare decide vs the frame handler, with and without shadow.
const plain = frameHandler(undefined);
const shadowed = frameHandler(loadPolicyDir(RECIPES));
bareDecide(10_000);
await plain.run(1000);
await shadowed.run(1000);
const inproc = { bare: [], handler: [], shadow: [] };
for (let r = 0; r < ROUNDS; r++) {
  inproc.bare.push(await time(DECIDE_OPS, bareDecide));
  inproc.handler.push(await time(HANDLER_OPS, plain.run));
  inproc.shadow.push(await time(HANDLER_OPS, shadowed.run));
}
const uartInProc = plain.sink.stats().toUart + shadowed.sink.stats().toUart;

// End-to-end rounds: echo round trip vs audited decision round trip, interleaved per round.
const e2e = system(undefined);
const [c0] = e2e.clients;
const echoRun = async (n) => {
  for (let i = 0; i < n; i++) sinkHole += (await c0.task.call(c0.echo, c0.frame, { timeoutMs: 1000 })).frame.byteLength;
};
let e2eCalls = 0;
const auditedRun = async (n) => {
  for (let i = 0; i < n; i++) {
    const c = e2e.clients[i & 3];
    sinkHole += (await c.task.call(c.route, c.frame, { timeoutMs: 1000 })).frame.byteLength;
  }
  e2eCalls += n;
  await e2e.policyd.flush();
};
await echoRun(1000);
await auditedRun(1000);
const rt = { echo: [], e2e: [] };
for (let r = 0; r < ROUNDS; r++) {
  rt.echo.push(await time(E2E_OPS, echoRun));
  rt.e2e.push(await time(E2E_OPS, auditedRun));
}
const e2eStats = assertConfirmed(e2e.policyd, e2eCalls, 'e2e rounds');

/** CLIENTS lanes, each calling policyd back to back for SUSTAIN_MS; then flush and check. */
async function sustained(stateDir) {
  const s = system(stateDir);
  // Warm-up outside the window (JIT; on disk, the first segment file).
  for (let i = 0; i < 200; i++) await s.clients[i & 3].task.call(s.clients[i & 3].route, s.clients[i & 3].frame, { timeoutMs: 5000 });
  await s.policyd.flush();
  const warm = 200;
  let calls = 0;
  const deadline = performance.now() + SUSTAIN_MS;
  const t0 = performance.now();
  await Promise.all(s.clients.flatMap((c) => Array.from({ length: LANES }, () => c)).map(async (c) => {
    while (performance.now() < deadline) {
      sinkHole += (await c.task.call(c.route, c.frame, { timeoutMs: 5000 })).frame.byteLength;
      calls++;
    }
  }));
  await s.policyd.flush();
  const ms = performance.now() - t0;
  const stats = assertConfirmed(s.policyd, warm + calls, stateDir === undefined ? 'sustained, memory' : 'sustained, durable');
  const logdStats = s.logd.stats();
  await s.logd.close();
  return { calls, perSec: (calls / ms) * 1000, ms, stats, syncs: logdStats.storage?.syncs, logdDropped: logdStats.audit.dropped };
}
const memory = await sustained(undefined);
const dir = mkdtempSync(join(tmpdir(), 'policyd-bench-'));
let durable;
try {
  durable = await sustained(join(dir, 'state'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const loadEnd = load();

const ns = (x) => `${x.toFixed(0).padStart(7)}`;
const row = (label, base, xs) => {
  const t = spread(xs);
  const r = spread(xs.map((x, i) => x / base[i]));
  return `${label} ns/op ${ns(t.min)} ${ns(t.median)} ${ns(t.max)}   ratio ${r.min.toFixed(2)} / ${r.median.toFixed(2)} / ${r.max.toFixed(2)}`;
};
const base = (label, xs) => {
  const t = spread(xs);
  return `${label} ns/op ${ns(t.min)} ${ns(t.median)} ${ns(t.max)}   (baseline)`;
};
console.log(`policyd audited bench: recipes/policy (${policy.rules.length} rules), ${ROUNDS} rounds; ns/op min / median / max; ratio = per-round ratio min / median / max`);
console.log(`loadavg at start ${loadStart}`);
console.log(base('bare policy.decide           ', inproc.bare));
console.log(row('handlePolicyFrame, / bare    ', inproc.bare, inproc.handler) + `   (uart fallbacks: ${uartInProc})`);
console.log(row('  + shadow policy, / bare    ', inproc.bare, inproc.shadow));
console.log(base('echo round trip (task.call)  ', rt.echo));
console.log(row('audited e2e, / echo          ', rt.echo, rt.e2e) + `   (${e2eStats.decisions} decisions, ${e2eStats.recordedDecisions} confirmed by logd, ${e2eStats.toUart} uart, ${e2eStats.lost} lost)`);
for (const [label, s] of [['memory ', memory], ['durable', durable]]) {
  console.log(`sustained ${SUSTAIN_MS / 1000}s, ${CLIENTS} clients x ${LANES} calls in flight, logd ${label}: ${s.calls} decisions, ${s.perSec.toFixed(0)}/s end to end`
    + ` (${s.stats.recordedDecisions} confirmed by logd incl. warm-up, ${s.stats.toUart} uart, lost=${s.stats.lost}, ${s.stats.evicted} declared evicted by policyd, logd dropped ${s.logdDropped}${s.syncs === undefined ? '' : `, ${s.syncs} fdatasyncs`})`);
}
console.log(`durable / memory sustained rate: ${(durable.perSec / memory.perSec).toFixed(2)}`);
console.log(`loadavg at end   ${loadEnd}`);
if (sinkHole === -1) console.log('');
