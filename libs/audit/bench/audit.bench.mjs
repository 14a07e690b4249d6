// Audited decision vs bare decide, measured in the same run. Build first:
//   npx tsc -b libs/audit libs/nexus-sel
// Lines, all per decision, ns/op min / median / max over ROUNDS; ratios are per round (each round's
// ratio, then min / median / max of those), against baselines measured in that same round:
//   bare decide      `policy.decide(query)` alone.
//   sha256 record    one one-shot `hash('sha256', …)` over one encoded audit record (a real record
//                    of the chain, hashed whole), the call the chain itself makes: the floor of any
//                    chain that hashes every record (`createHash` would cost several times more and
//                    flatter the ratio).
//   decide + sha256  bare decide + sha256 record, per round: THE baseline of the audited ratio.
//   sha256 alone     one one-shot `hash()` over a typical 182-byte hash input (prevHash ‖ body).
//   audited decide   decide + build the AuditInput the way policyd does (rule refs precomputed per
//                    rule) + `AuditSink.record` with a primary that is ready and accepts at once, so
//                    records are chained, sealed in blocks (encoding, one SHA-256 per record) and
//                    offered a block at a time (`offerBlock`, one promise per block, as policyd's
//                    transport does); the loop yields every BATCH records so the sink's
//                    in-flight bound is never what is measured.
//   block floor      the cheapest conceivable audited decision if records were hashed per block of
//                    64 instead (what the issue allows): decide + input, fields written by hand into
//                    one reused buffer, ONE SHA-256 per block — no validation, no record object, no
//                    sealing views, no delivery. Anything real costs more than this line.
//   floor + checks   the same, plus `validateInput` on each input: the one addition invariant 6
//                    (every input bounded and checked before use) makes mandatory.
// Printed ratios: audited / (decide + sha256 record), and each line / bare decide (goal of the
// issue: audited/bare ≤ 10). Machine noise is large here: compare within one run only; loadavg is
// printed at start and end.
import { readFileSync, readdirSync } from 'node:fs';
import { hash } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { AuditChain, AuditSink, validateInput } from '@nexus/audit';

// Loaded by a computed name on purpose: a static import here would add an audit → sel edge to the
// Nx project graph, and then logd (which depends on audit) would "reach" @nexus/sel (invariant 2).
const sel = await import(['@nexus', 'sel'].join('/'));

const OPS = 20_000;
const ROUNDS = 9;
const BATCH = 32;
const BLOCK = 64;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadStart = load();
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

// One real encoded record (what the sink hands logd), from a chain like the one `audited` builds.
const sampleRecord = (() => {
  const q = queries[1];
  return new AuditChain({ policyVersion: policy.version }).appendSealed(inputOf(0, q, policy.decide(q))).encoded;
})();

function shaRecord() {
  let n = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) n += hash('sha256', sampleRecord, 'binary').length;
  const ns = Number(process.hrtime.bigint() - start) / OPS;
  if (n !== 32 * OPS) throw new Error('a digest was short');
  return ns;
}

async function audited() {
  const chain = new AuditChain({ policyVersion: policy.version });
  let stored = 0;
  // Like policyd's transport: each sealed block in one delivery (one promise per block).
  const primary = {
    ready: () => true,
    offer: () => (stored++, Promise.resolve(true)),
    offerBlock: (block) => ((stored += block.length), Promise.resolve(block.length)),
  };
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

const spread = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
};
const three = (xs, d = 1) => {
  const t = spread(xs);
  return `${f(t.min, d)} ${f(t.median, d)} ${f(t.max, d)}`;
};
const f = (n, d = 1) => n.toFixed(d).padStart(8);

bare();
await audited(); // warm-up: JIT every path before measuring
shaRecord();
hashOnly();
blockFloor(false);
blockFloor(true);
const rows = { bare: [], shaRecord: [], sha: [], audited: [], floor: [], checked: [] };
for (let r = 0; r < ROUNDS; r++) {
  rows.bare.push(bare());
  rows.shaRecord.push(shaRecord());
  rows.sha.push(hashOnly());
  rows.audited.push(await audited());
  rows.floor.push(blockFloor(false));
  rows.checked.push(blockFloor(true));
}
const loadEnd = load();
rows.base = rows.bare.map((ns, r) => ns + rows.shaRecord[r]);
const ratio = (key, to) => rows[key].map((ns, r) => ns / rows[to][r]);
console.log(`ops/round ${OPS}, rounds ${ROUNDS}, ${queries.length} distinct queries, policy ${policy.version.slice(0, 19)}…; ns/op and ratios: min / median / max`);
console.log(`loadavg at start ${loadStart}`);
console.log(`bare decide        ns/op ${three(rows.bare)}`);
console.log(`sha256 record      ns/op ${three(rows.shaRecord)}   (one-shot hash() over one ${sampleRecord.length}-byte encoded record)`);
console.log(`decide + sha256    ns/op ${three(rows.base)}   (baseline, per round)`);
console.log(`audited decide     ns/op ${three(rows.audited)}   audited / (decide + sha256): ${three(ratio('audited', 'base'), 2)}`);
for (const [key, label] of [['sha', 'sha256 alone    '], ['audited', 'audited decide  '], ['floor', 'block floor     '], ['checked', 'floor + checks  ']]) {
  console.log(`${label}   ns/op ${three(rows[key])}   / bare decide: ${three(ratio(key, 'bare'), 2)}`);
}
console.log(`goal: audited/bare ≤ 10; audited / (decide + sha256 record) median ${spread(ratio('audited', 'base')).median.toFixed(2)}`);
console.log(`loadavg at end   ${loadEnd}`);
