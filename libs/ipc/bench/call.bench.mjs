// Round-trip `call` throughput between two tasks (64-byte frame) against a bare
// `await Promise.resolve()` hop measured in the same round. Run after `npx nx run ipc:build`.
// Each round measures a hop and a call back to back and yields one ratio call/hop; min, median and
// max are read from that one per-round array sorted ascending, so min <= median <= max always.
// The machine's load average is printed with the figures: on a busy machine the ratio drifts.
import { loadavg } from 'node:os';
import { Kernel } from '@nexus/ipc';

const OPS = 20_000;
const ROUNDS = 7;
const BUSY_LOAD = 3;
const frame = new Uint8Array(64).fill(7);

async function hop() {
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) await Promise.resolve();
  return Number(process.hrtime.bigint() - start) / OPS;
}

async function roundTrip() {
  const kernel = new Kernel();
  const server = kernel.spawn('bench-server');
  const client = kernel.spawn('bench-client');
  const ep = kernel.createEndpoint(server);
  server.serve(ep.recv, (msg) => msg.frame);
  const route = kernel.grant(ep.send, client);
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) {
    const reply = await client.call(route, frame);
    if (reply.frame.byteLength !== 64) throw new Error('bad echo');
  }
  return Number(process.hrtime.bigint() - start) / OPS;
}

/** min / median / max of `xs`, all three from one copy sorted ascending. */
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');
const loadBefore = load();
await hop();
await roundTrip(); // warm-up: JIT both paths before measuring
const hops = [];
const calls = [];
const ratios = [];
for (let r = 0; r < ROUNDS; r++) {
  const h = await hop();
  const c = await roundTrip();
  hops.push(h);
  calls.push(c);
  ratios.push(c / h);
}
const h = stats(hops);
const c = stats(calls);
const q = stats(ratios);
const f = (n) => n.toFixed(1).padStart(9);
const row = (label, s) => `${label.padEnd(20)} min ${f(s.min)}  median ${f(s.median)}  max ${f(s.max)}`;
console.log(`ops/round ${OPS}, rounds ${ROUNDS}, frame 64 B`);
console.log(row('promise hop   ns/op', h));
console.log(row('call round    ns/op', c));
console.log(row('ratio call/hop', q) + '   (per-round ratios)');
const loadAfter = load();
console.log(`load average (1/5/15 min)  before ${loadBefore}  after ${loadAfter}`);
if (Number(loadAfter.split(' ')[0]) >= BUSY_LOAD || Number(loadBefore.split(' ')[0]) >= BUSY_LOAD) {
  console.log(`warning: 1-min load >= ${BUSY_LOAD}; the figures are not comparable`);
}
