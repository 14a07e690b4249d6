// Cost of an audited decision, measured in this one process and run against bare Policy.decide:
//   1. bare `policy.decide` on the shipped recipes/policy;
//   2. `PolicyFrameHandler.handlePolicyFrame` (decode, identity, decide, chain + SHA-256, encode) with
//      a sink whose primary accepts every record at once;
//   3. end to end over @nexus/ipc: a client task calling policyd in a loop, policyd appending every
//      record to logd (the real @nexus/logd when it is built, else a task that acks LO appends).
// Not a test: it prints figures. Run: npm run bench -w @nexus/policyd (builds first; imports dist/).
import { fileURLToPath } from 'node:url';
import { AuditChain, AuditSink } from '@nexus/audit';
import { Kernel, serviceIdFromName } from '@nexus/ipc';
import { PolicyFrameHandler, startPolicyd } from '@nexus/policyd';
import { decodeLogRequest, encodeLogReply, encodePolicyRequest } from '@nexus/proto';
import { loadPolicyDir } from '@nexus/sel/node';

const RECIPES = fileURLToPath(new URL('../../../recipes/policy', import.meta.url));
const policy = loadPolicyDir(RECIPES);
const ROUNDS = 7;
const DECIDE_OPS = 200_000;
const HANDLER_OPS = 20_000;
const E2E_OPS = 5_000;

// A fixed mix of allowed and denied questions, as both queries and PO frames from their own sender.
const MIX = [
  { sender: 'keystored', action: 'crypto.sign', req: { version: 1, op: 4, subjectId: serviceIdFromName('keystored'), cap: 'crypto.sign' } },
  { sender: 'selftest-client', action: 'proc.spawn', target: '7', req: { version: 2, op: 3, nonce: 1, requester: 'selftest-client', imageId: 7 } },
  { sender: 'bundlemgrd', action: 'ipc.route', target: 'execd', req: { version: 2, op: 2, nonce: 2, requester: 'bundlemgrd', target: 'execd' } },
  { sender: 'demo.testsvc', action: 'ipc.core', req: { version: 1, op: 1, name: 'demo.testsvc' } },
];
const queries = MIX.map((m) => ({ subject: serviceIdFromName(m.sender), action: m.action, target: m.target }));
const frames = MIX.map((m) => ({ sender: serviceIdFromName(m.sender), frame: encodePolicyRequest(m.req) }));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(ops, run) {
  await run(Math.min(ops, 1000)); // warm-up
  const samples = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    await run(ops);
    samples.push(Number(process.hrtime.bigint() - start) / ops);
  }
  return median(samples);
}

let sinkHole = 0;
const bare = await measure(DECIDE_OPS, (n) => {
  for (let i = 0; i < n; i++) sinkHole += policy.decide(queries[i & 3]).allow ? 1 : 0;
});

const chain = new AuditChain({ policyVersion: policy.version });
let clock = 0n;
const now = () => (clock += 1000n);
const sink = new AuditSink({ chain, primary: { ready: () => true, offer: () => Promise.resolve(true) }, uart: { write() {} }, now });
const handler = new PolicyFrameHandler({ policy, sink, now });
const handled = await measure(HANDLER_OPS, async (n) => {
  for (let i = 0; i < n; i++) {
    const { sender, frame } = frames[i & 3];
    sinkHole += handler.handlePolicyFrame(sender, frame).byteLength;
    // Let confirmations settle before the in-flight bound sends records to the UART.
    if ((i & 31) === 31) await sink.flush();
  }
  await sink.flush();
});
const toUart = sink.stats().toUart;

// Shadow evaluation: the same frames with a candidate decided next to the active policy. The
// candidate is recipes/policy itself, so every decision agrees and the records carry no shadow:
// what is measured is the one extra decide (plus the delegation check), not a longer record.
const shadowChain = new AuditChain({ policyVersion: policy.version });
const shadowSink = new AuditSink({ chain: shadowChain, primary: { ready: () => true, offer: () => Promise.resolve(true) }, uart: { write() {} }, now });
const shadowHandler = new PolicyFrameHandler({ policy, sink: shadowSink, now, shadow: loadPolicyDir(RECIPES) });
const shadowed = await measure(HANDLER_OPS, async (n) => {
  for (let i = 0; i < n; i++) {
    const { sender, frame } = frames[i & 3];
    sinkHole += shadowHandler.handlePolicyFrame(sender, frame).byteLength;
    if ((i & 31) === 31) await shadowSink.flush();
  }
  await shadowSink.flush();
});

async function endToEnd() {
  const kernel = new Kernel();
  const policyd = startPolicyd(kernel, { policy, console: { write() {} } });
  let which = 'real @nexus/logd';
  let logdTask;
  let logdEndpoint;
  try {
    const { startLogd } = await import('@nexus/logd');
    const logd = startLogd(kernel, { auditWriter: policyd.task.serviceId });
    logdTask = logd.task;
    logdEndpoint = logd.endpoint;
  } catch {
    which = 'a task acking LO appends (@nexus/logd not built)';
    logdTask = kernel.spawn('logd');
    const ep = kernel.createEndpoint(logdTask, { maxFrame: 4096 });
    let id = 0n;
    logdTask.serve(ep.recv, (msg) => {
      const res = decodeLogRequest(msg.frame);
      if (!res.ok || res.request.version !== 2) return undefined;
      return encodeLogReply({ version: 2, nonce: res.request.nonce, op: 1, status: 0, recordId: ++id, dropped: 0n });
    });
    logdEndpoint = ep.send;
  }
  policyd.connectLogd(kernel.grant(logdEndpoint, policyd.task));
  const clients = MIX.map((m) => {
    const task = kernel.spawn(m.sender);
    return { task, route: kernel.grant(policyd.endpoint, task), frame: encodePolicyRequest(m.req) };
  });
  const ns = await measure(E2E_OPS, async (n) => {
    for (let i = 0; i < n; i++) {
      const c = clients[i & 3];
      sinkHole += (await c.task.call(c.route, c.frame, { timeoutMs: 1000 })).frame.byteLength;
    }
    await policyd.flush();
  });
  const stats = policyd.auditStats();
  if (stats.toUart !== 0n || stats.lost !== 0n) throw new Error(`records left the primary: ${stats.toUart} uart, ${stats.lost} lost`);
  return { ns, which, decisions: stats.decisions };
}
const e2e = await endToEnd();

const fmt = (ns) => `${ns.toFixed(0).padStart(8)} ns/op`;
console.log(`policy: recipes/policy (${policy.rules.length} rules), ${ROUNDS} rounds, median`);
console.log(`bare policy.decide                       ${fmt(bare)}   1.00x`);
console.log(`handlePolicyFrame, primary accepts       ${fmt(handled)}   ${(handled / bare).toFixed(2)}x   (uart fallbacks: ${toUart})`);
console.log(`handlePolicyFrame + shadow policy       ${fmt(shadowed)}   ${(shadowed / bare).toFixed(2)}x   (+${(shadowed - handled).toFixed(0)} ns: one more decide)`);
console.log(`client→policyd→logd over @nexus/ipc      ${fmt(e2e.ns)}   ${(e2e.ns / bare).toFixed(2)}x   (${e2e.which}; ${e2e.decisions} decisions, all to logd)`);
if (sinkHole === -1) console.log('');
