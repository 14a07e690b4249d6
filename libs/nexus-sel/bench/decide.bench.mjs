// Speed of Policy.decide against a plain Map<string, Set<string>> lookup, casbin and CASL on the
// same allowlist, all measured in this one process and run. Not a test: it prints figures.
// Run: npm run bench -w @nexus/sel   (builds first; imports the package by name, i.e. dist/)
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PerformanceObserver } from 'node:perf_hooks';
import { compilePolicy, serviceIdFromName } from '@nexus/sel';
import { newEnforcer, newModelFromString } from 'casbin';
import { createMongoAbility } from '@casl/ability';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const SERVICES = 40;
const CAPS_PER_SERVICE = 5;
const QUERIES = 4096;
const ROUNDS = 15;

const services = Array.from({ length: SERVICES }, (_, n) => `svc-${String(n).padStart(2, '0')}`);
const capabilityPool = Array.from({ length: 20 }, (_, n) => `cap${n % 5}.op${n}`);
const grants = new Map(
  services.map((service, n) => [
    service,
    new Set(Array.from({ length: CAPS_PER_SERVICE }, (_, k) => capabilityPool[(n * 3 + k * 4) % capabilityPool.length])),
  ]),
);

// ---- engines ----
const policy = compilePolicy([
  {
    path: 'bench.toml',
    text: `[allow]\n${[...grants].map(([service, caps]) => `"${service}" = [${[...caps].map((c) => `"${c}"`).join(', ')}]`).join('\n')}\n`,
  },
]);
const casbin = await newEnforcer(
  newModelFromString(
    '[request_definition]\nr = sub, obj\n[policy_definition]\np = sub, obj\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub && r.obj == p.obj\n',
  ),
);
await casbin.addPolicies([...grants].flatMap(([service, caps]) => [...caps].map((cap) => [service, cap])));
const ability = createMongoAbility([...grants].flatMap(([service, caps]) => [...caps].map((cap) => ({ action: cap, subject: service }))));

// ---- queries: half allowed, deterministic ----
let seed = 0x2545f491;
const random = (n) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const queries = [];
while (queries.length < QUERIES) {
  const service = services[random(SERVICES)];
  const owned = [...grants.get(service)];
  const allowed = queries.length % 2 === 0;
  const action = allowed ? owned[random(owned.length)] : capabilityPool.find((c, n) => n >= random(20) && !grants.get(service).has(c)) ?? 'nope.none';
  queries.push({ service, subject: serviceIdFromName(service), action, target: undefined });
}

// The same lookup keyed by the kernel's u64 id, as decide must be: the floor for a bigint subject.
const byId = new Map([...grants].map(([service, caps]) => [serviceIdFromName(service), caps]));
const engines = {
  'Map<string, Set<string>> (baseline)': (q) => grants.get(q.service)?.has(q.action) === true,
  'Map<bigint, Set<string>> (id floor)': (q) => byId.get(q.subject)?.has(q.action) === true,
  'Policy.decide (+ d.rule)': (q) => {
    const d = policy.decide(q);
    return d.allow && d.rule !== undefined;
  },
  'casbin enforceSync': (q) => casbin.enforceSync(q.service, q.action),
  'CASL ability.can': (q) => ability.can(q.action, q.service),
};

// ---- all engines must agree on every query before anything is timed ----
let allowedCount = 0;
for (const q of queries) {
  const answers = Object.values(engines).map((engine) => engine(q));
  if (new Set(answers).size !== 1) throw new Error(`engines disagree on ${q.service} ${q.action}: ${answers}`);
  if (answers[0]) allowedCount++;
}
console.log(`${SERVICES} services x ${CAPS_PER_SERVICE} capabilities, ${QUERIES} queries (${allowedCount} allowed); all ${Object.keys(engines).length} engines agree on every query`);

// ---- timing: warm up, then ROUNDS rounds that each time every engine in turn, so load that drifts
// during the run hits all engines alike; ratios are medians of the per-round ratios ----
let sink = 0;
function time(engine, passes) {
  const start = process.hrtime.bigint();
  for (let p = 0; p < passes; p++) for (let i = 0; i < QUERIES; i++) if (engine(queries[i])) sink++;
  return Number(process.hrtime.bigint() - start) / (passes * QUERIES);
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const passesOf = (name) => (name.startsWith('casbin') ? 2 : 40);
const timed = Object.entries(engines);
for (const [name, engine] of timed) time(engine, passesOf(name) * 2);
const samples = timed.map(() => []);
for (let round = 0; round < ROUNDS; round++) timed.forEach(([name, engine], at) => samples[at].push(time(engine, passesOf(name))));
console.log('\nengine                                  ns/op   ratio to Map (median of per-round ratios, min..max)');
timed.forEach(([name], at) => {
  const ratios = samples[at].map((ns, round) => ns / samples[0][round]);
  const range = `${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)}`;
  console.log(`${name.padEnd(38)} ${median(samples[at]).toFixed(1).padStart(8)}   ${median(ratios).toFixed(2)}x  (${range})`);
});

// ---- slower paths, for the record ----
const slow = [
  ['decide, non-canonical spelling', { subject: queries[0].subject, action: ` ${queries[0].action.toUpperCase()} ` }],
  ['decide, with a target', { subject: queries[0].subject, action: queries[0].action, target: 'execd' }],
];
for (const [name, q] of slow) {
  const engine = () => policy.decide(q).allow;
  time(engine, 40);
  console.log(`${name.padEnd(38)} ${median(Array.from({ length: ROUNDS }, () => time(engine, 40))).toFixed(1).padStart(8)}`);
}

// ---- allocation evidence: GCs and heap growth over 1e7 decisions, against a loop allocating one small
// object per iteration. A forced GC first, so the count is only what the loop itself triggers. ----
let gcCount = 0;
const observer = new PerformanceObserver((list) => (gcCount += list.getEntries().length));
observer.observe({ entryTypes: ['gc'] });
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
async function allocation(run) {
  gc();
  await settle();
  gcCount = 0;
  const before = process.memoryUsage().heapUsed;
  run();
  const grown = process.memoryUsage().heapUsed - before;
  await settle();
  return `${gcCount} GC(s), heap ${grown >= 0 ? '+' : ''}${grown} bytes`;
}
const N = 10_000_000;
const allowQueries = queries.filter((q) => policy.decide(q).allow);
const denyQueries = queries.filter((q) => !policy.decide(q).allow);
const loop = (list) => () => {
  for (let i = 0; i < N; i++) if (policy.decide(list[i & 1023]).allow) sink++;
};
console.log(`\n1e7 allow decisions:  ${await allocation(loop(allowQueries))}`);
console.log(`1e7 deny decisions:   ${await allocation(loop(denyQueries))}`);
// The object escapes into `escaped`, so the optimizer cannot remove the allocation.
let escaped;
console.log(
  `control (1e7 small object allocations): ${await allocation(() => {
    for (let i = 0; i < N; i++) if ((escaped = { allow: true, n: i }).allow) sink++;
  })}`,
);
observer.disconnect();

// ---- compile time of a generated policy of 10,000 services ----
const BIG = 10_000;
const lines = Array.from({ length: BIG }, (_, n) => `s${n} = ["cap${n % 7}.a", "cap${n % 11}.b", "cap.c", "io.*", "ipc.route@t${n % 13}"]`);
const files = [];
for (let at = 0; at < lines.length; at += 800) files.push({ path: `gen-${at}.toml`, text: `[allow]\n${lines.slice(at, at + 800).join('\n')}\n` });
const compileMs = [];
let compiled;
for (let round = 0; round < 3; round++) {
  const start = process.hrtime.bigint();
  compiled = compilePolicy(files);
  compileMs.push(Number(process.hrtime.bigint() - start) / 1e6);
}
console.log(`compile ${BIG} services, ${compiled.rules.length} rules in ${files.length} files: median ${median(compileMs).toFixed(0)} ms`);
if (sink < 0) console.log(sink, escaped);
