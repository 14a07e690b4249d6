// Round-trip `call` throughput between two tasks (64-byte frame) against a bare
// `await Promise.resolve()` hop measured in the same run. Run after `npx tsc -b libs/ipc`.
import { Kernel } from '@nexus/ipc';

const OPS = 20_000;
const ROUNDS = 7;
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

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)] };
};

await hop();
await roundTrip(); // warm-up: JIT both paths before measuring
const hops = [];
const calls = [];
for (let r = 0; r < ROUNDS; r++) {
  hops.push(await hop());
  calls.push(await roundTrip());
}
const h = stats(hops);
const c = stats(calls);
const f = (n) => n.toFixed(1).padStart(9);
console.log(`ops/round ${OPS}, rounds ${ROUNDS}, frame 64 B`);
console.log(`promise hop   ns/op  min ${f(h.min)}  median ${f(h.median)}`);
console.log(`call round    ns/op  min ${f(c.min)}  median ${f(c.median)}`);
console.log(`ratio call/hop       min ${f(c.min / h.min)}  median ${f(c.median / h.median)}`);
