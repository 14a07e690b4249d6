// Audited decision vs bare decide, measured in the same run. Build first:
//   npx tsc -b libs/audit libs/nexus-sel
// Lines, all per decision:
//   bare decide      `policy.decide(query)` alone.
//   sha256 alone     one one-shot SHA-256 over a typical 182-byte hash input (prevHash ‖ body): the
//                    floor of any chain that hashes every record, as record v1 does.
//   audited decide   decide + build the AuditInput the way policyd does (rule refs precomputed per
//                    rule) + `AuditSink.record` with a primary that is ready and accepts at once, so
//                    records are chained, sealed in blocks (encoding, one SHA-256 per record) and
//                    offered (one promise each); the loop yields every BATCH records so the sink's
//                    in-flight bound is never what is measured.
//   block floor      the cheapest conceivable audited decision if records were hashed per block of
//                    64 instead (what the issue allows): decide + input, fields written by hand into
//                    one reused buffer, ONE SHA-256 per block — no validation, no record object, no
//                    sealing views, no delivery. Anything real costs more than this line.
//   floor + checks   the same, plus `validateInput` on each input: the one addition invariant 6
//                    (every input bounded and checked before use) makes mandatory.
// Goal of the issue: audited/bare ≤ 10. Ratios are medians of per-round ratios (machine noise is
// large here: compare within one run only).
import { readFileSync, readdirSync } from 'node:fs';
import { hash } from 'node:crypto';
import { join } from 'node:path';
import { AuditChain, AuditSink, validateInput } from '@nexus/audit';

// Loaded by a computed name on purpose: a static import here would add an audit → sel edge to the
// Nx project graph, and then logd (which depends on audit) would "reach" @nexus/sel (invariant 2).
const sel = await import(['@nexus', 'sel'].join('/'));

const OPS = 20_000;
const ROUNDS = 9;
const BATCH = 32;
const BLOCK = 64;
const recipes = new URL('../../../recipes/policy/', import.meta.url).pathname;
const files = readdirSync(recipes)
  .filter((f) => f.endsWith('.toml'))
  .map((f) => ({ path: f, text: readFileSync(join(recipes, f), 'utf8') }));
const policy = sel.compilePolicy(files);
// policyd formats each rule's `file:line` once per policy, not per decision.
const ruleRefs = policy.rules.map((r) => `${r.file}:${r.line}`);
const names = ['keystored', 'execd', 'samgrd', 'bundlemgrd', 'demo.testsvc', 'vfsd', 'updated', 'nobody'];
const actions = ['ipc.core', 'crypto.sign', 'proc.spawn', 'fs.read'];
const queries = names.flatMap((n) => actions.map((action) => ({ subject: sel.serviceIdFromName(n), action })));
const REASON = { allow: 'policy-allow', 'no-rule': 'no-rule', 'deny-rule': 'deny-rule', malformed: 'malformed' };

function inputOf(i, q, d) {
  return {
    timestampNs: BigInt(i), subjectId: q.subject, senderId: q.subject, op: 'check_cap', action: q.action,
    decision: d.allow ? 'allow' : 'deny', reason: REASON[d.reason],
    rule: d.rule === undefined ? undefined : ruleRefs[d.rule.id], policyVersion: policy.version,
  };
}

function bare() {
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) if (policy.decide(queries[i % queries.length]).allow) allowed++;
  const ns = Number(process.hrtime.bigint() - start) / OPS;
  if (allowed === 0) throw new Error('no allow decided');
  return ns;
}

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
    const outcome = sink.record(inputOf(i, q, policy.decide(q)));
    if (outcome.destination !== 'primary') throw new Error(`record went to ${outcome.destination}`);
    if (i % BATCH === BATCH - 1) await sink.flush();
  }
  await sink.flush();
  const ns = Number(process.hrtime.bigint() - start) / OPS;
  if (stored !== OPS || sink.stats().recorded !== BigInt(OPS)) throw new Error('not every record was confirmed');
  return ns;
}

const utf8 = new Map();
const bytesOf = (s) => {
  let b = utf8.get(s);
  if (b === undefined) utf8.set(s, (b = new TextEncoder().encode(s)));
  return b;
};
const versionBytes = new Uint8Array(32).fill(0xab);
const blockBuffer = new Uint8Array(BLOCK * 256);
const blockView = new DataView(blockBuffer.buffer);

function blockFloor(checked) {
  let off = 32;
  let n = 0;
  let digests = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) {
    const q = queries[i % queries.length];
    const input = inputOf(i, q, policy.decide(q));
    if (checked) validateInput(input);
    const b = blockBuffer;
    b[off] = 2; b[off + 1] = 0; b[off + 2] = input.rule === undefined ? 0 : 4; b[off + 3] = 3;
    b[off + 4] = input.decision === 'allow' ? 0 : 1; b[off + 5] = 0; b[off + 6] = n; b[off + 7] = BLOCK;
    blockView.setBigUint64(off + 8, BigInt(i + 1), true);
    blockView.setBigUint64(off + 16, input.timestampNs, true);
    blockView.setBigUint64(off + 24, input.subjectId, true);
    blockView.setBigUint64(off + 32, input.senderId, true);
    off += 40;
    const a = bytesOf(input.action);
    b[off++] = a.length;
    for (let k = 0; k < a.length; k++) b[off++] = a[k];
    if (input.rule !== undefined) {
      const r = bytesOf(input.rule);
      b[off++] = r.length;
      for (let k = 0; k < r.length; k++) b[off++] = r[k];
    }
    for (let k = 0; k < 32; k++) b[off + k] = versionBytes[k];
    off += 32;
    if (++n === BLOCK || i === OPS - 1) {
      if (hash('sha256', b.subarray(0, off), 'binary').length === 32) digests++;
      off = 32;
      n = 0;
    }
  }
  const ns = Number(process.hrtime.bigint() - start) / OPS;
  if (digests !== Math.ceil(OPS / BLOCK)) throw new Error('a block was not hashed');
  return ns;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;

bare();
await audited(); // warm-up: JIT every path before measuring
hashOnly();
blockFloor(false);
blockFloor(true);
const rows = { bare: [], sha: [], audited: [], floor: [], checked: [] };
for (let r = 0; r < ROUNDS; r++) {
  rows.bare.push(bare());
  rows.sha.push(hashOnly());
  rows.audited.push(await audited());
  rows.floor.push(blockFloor(false));
  rows.checked.push(blockFloor(true));
}
const ratio = (key) => rows[key].map((ns, r) => ns / rows.bare[r]);
const f = (n) => n.toFixed(1).padStart(8);
console.log(`ops/round ${OPS}, rounds ${ROUNDS}, ${queries.length} distinct queries, policy ${policy.version.slice(0, 19)}…`);
console.log(`bare decide      ns/op median ${f(median(rows.bare))}  (rounds ${range(rows.bare)})`);
for (const [key, label] of [['sha', 'sha256 alone   '], ['audited', 'audited decide '], ['floor', 'block floor    '], ['checked', 'floor + checks ']]) {
  const ratios = ratio(key);
  console.log(`${label}  ns/op median ${f(median(rows[key]))}  ratio to bare: median ${f(median(ratios))}  (rounds ${range(ratios)})`);
}
console.log('goal: audited/bare ≤ 10');
