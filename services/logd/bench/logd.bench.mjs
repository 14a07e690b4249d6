// Durable audit appends vs in-memory appends, measured in the same run, in rounds that run the
// memory ring and the durable journal back to back (so machine noise hits both alike). Build first:
//   npx tsc -b services/logd
// Two ways records arrive, each measured both ways:
//   APPEND (op 1)          one record per call, WINDOW calls in flight (the sink's path for a
//                          record offered alone).
//   APPEND_BLOCK (op 4)    blocks of BLOCK records (`LogClient.appendBlock`), BLOCK_WINDOW blocks in
//                          flight (policyd's default maxInFlight 1024 = 16 blocks of 64): the path
//                          policyd's audit transport uses for every sealed block.
// Lines:
//   memory ring     a logd without a state dir (records in its memory ring).
//   durable         a logd with a fresh state dir: each APPEND / block acknowledged only after its
//                   record(s) are on disk (fdatasync, synchronous).
//   fdatasync       one write of a 200-byte record + one fdatasync on this machine (the floor of an
//                   ungrouped durable append).
// Printed: appends (records) per second min / median / max over ROUNDS; the durable cost as the
// per-round ratio durable time / memory time, min / median / max (goal of issue #16: durable ≤ 3×
// the memory ring); fdatasyncs per round; bytes on disk per record; loadavg at start and end.
import { fdatasyncSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditChain } from '@nexus/audit';
import { Kernel } from '@nexus/ipc';
import { startLogd } from '@nexus/logd';
import { encodeLogRequest, decodeLogReply, LogClient } from '@nexus/proto';

const RECORDS = 4000;
const ROUNDS = 7;
const WINDOW = 32;
const BLOCK = 64;
const BLOCK_RECORDS = 8192;
const BLOCK_WINDOW = 16;
const POLICY = `sha256:${'ab'.repeat(32)}`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadStart = load();

/** n sealed audit records of one chain, encoded (what policyd's sink hands logd). */
function sealed(n) {
  const chain = new AuditChain({ policyVersion: POLICY });
  return Array.from({ length: n }, (_, i) => chain.appendSealed({
    timestampNs: BigInt(i), subjectId: 0x1234n + BigInt(i % 9), senderId: 0x1234n, op: 'check_cap', action: 'ipc.core',
    decision: i % 4 === 0 ? 'deny' : 'allow', reason: i % 4 === 0 ? 'no-rule' : 'policy-allow', rule: 'base.toml:3', policyVersion: POLICY,
  }).encoded);
}

/** One APPEND frame per record. */
function records(n) {
  return sealed(n).map((fields, i) => encodeLogRequest({ version: 2, op: 1, nonce: BigInt(i + 1), level: 2, scope: 'policyd.audit', msg: '', fields }));
}

/** The records cut into blocks of BLOCK. */
function blocks(n) {
  const all = sealed(n);
  return Array.from({ length: Math.ceil(n / BLOCK) }, (_, b) => all.slice(b * BLOCK, (b + 1) * BLOCK));
}

/** A logd (memory ring, or on disk in `stateDir`) and its one audit writer, as the boot wires them. */
function boot(stateDir) {
  const kernel = new Kernel();
  const writer = kernel.spawn('policyd');
  // Room for a whole round in the ring: appending is measured, not eviction.
  const logd = startLogd(kernel, { auditWriter: writer.serviceId, auditQueueDepth: 64, audit: { maxRecords: 16_384 }, ...(stateDir ? { stateDir } : {}) });
  return { logd, writer, route: kernel.grant(logd.auditEndpoint, writer) };
}

async function finish(logd, count, t0, failed) {
  const ms = performance.now() - t0;
  const stats = logd.stats();
  await logd.close();
  if (failed > 0) throw new Error(`${failed} appends failed`);
  if (stats.audit.total !== BigInt(count)) throw new Error(`logd holds ${stats.audit.total} of ${count} records`);
  return { ms, perSec: (count / ms) * 1000, syncs: stats.storage?.syncs ?? 0, bytes: stats.storage?.auditBytes ?? 0 };
}

/** APPEND (op 1): one record per call, WINDOW in flight. */
async function round(frames, stateDir) {
  const { logd, writer, route } = boot(stateDir);
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  async function lane() {
    while (next < frames.length) {
      const i = next++;
      const reply = decodeLogReply((await writer.call(route, frames[i], { timeoutMs: 60_000 })).frame, { version: 2, op: 1, nonce: BigInt(i + 1) });
      if (reply.status !== 0) failed++;
    }
  }
  await Promise.all(Array.from({ length: WINDOW }, lane));
  return finish(logd, frames.length, t0, failed);
}

/** APPEND_BLOCK (op 4): blocks of BLOCK records, BLOCK_WINDOW in flight. */
async function blockRound(list, stateDir) {
  const { logd, writer, route } = boot(stateDir);
  const client = new LogClient(async (frame, timeoutMs) => (await writer.call(route, frame, { timeoutMs })).frame, { timeoutMs: 60_000 });
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  async function lane() {
    while (next < list.length) {
      const block = list[next++];
      const result = await client.appendBlock(block);
      if (result.status !== 'ok' || result.stored !== block.length) failed += block.length - (result.stored ?? 0);
    }
  }
  await Promise.all(Array.from({ length: BLOCK_WINDOW }, lane));
  return finish(logd, list.reduce((n, b) => n + b.length, 0), t0, failed);
}

function fdatasyncCost(samples) {
  const dir = mkdtempSync(join(tmpdir(), 'logd-bench-sync-'));
  const fd = openSync(join(dir, 'probe'), 'w');
  const record = Buffer.alloc(200, 7);
  const out = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    writeSync(fd, record);
    fdatasyncSync(fd);
    out.push((performance.now() - t) * 1000);
  }
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (x, d = 0) => x.toFixed(d).padStart(9);
const three = (xs, d = 0) => {
  const t = stat(xs);
  return `${fmt(t.min, d)} ${fmt(t.median, d)} ${fmt(t.max, d)}`;
};

/** ROUNDS of `run` on a memory ring then on a fresh state dir; per-round durable/memory time ratios. */
async function compare(run, input, count) {
  const memory = [];
  const durable = [];
  const ratios = [];
  const syncs = [];
  let bytesPerRecord = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const m = await run(input);
    const dir = mkdtempSync(join(tmpdir(), 'logd-bench-'));
    let d;
    try {
      d = await run(input, join(dir, 'state'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    memory.push(m.perSec);
    durable.push(d.perSec);
    ratios.push(d.ms / m.ms);
    syncs.push(d.syncs);
    bytesPerRecord = (d.bytes - 32) / count; // minus the one segment header
  }
  return { memory, durable, ratios, syncs: stat(syncs).median, bytesPerRecord };
}

const frames = records(RECORDS);
const blockList = blocks(BLOCK_RECORDS);
// Warm both paths once (JIT, first file creation).
const warmDir = mkdtempSync(join(tmpdir(), 'logd-bench-'));
await round(frames.slice(0, 500));
await round(frames.slice(0, 500), join(warmDir, 'state'));
await blockRound(blockList.slice(0, 8));
await blockRound(blockList.slice(0, 8), join(warmDir, 'state2'));
rmSync(warmDir, { recursive: true, force: true });

const single = await compare(round, frames, RECORDS);
const block = await compare(blockRound, blockList, BLOCK_RECORDS);
const s = stat(fdatasyncCost(200));
const loadEnd = load();
console.log(`logd audit appends, durable vs memory ring, ${ROUNDS} rounds (records/s and ratios: min / median / max; ratio = durable time / memory time per round)`);
console.log(`loadavg at start ${loadStart}`);
console.log(`APPEND (op 1), ${RECORDS} records, ${WINDOW} in flight`);
console.log(`  memory ring   ${three(single.memory)}`);
console.log(`  durable       ${three(single.durable)}   (${single.syncs} fdatasyncs per ${RECORDS} records: ${(RECORDS / single.syncs).toFixed(1)} records per sync)`);
console.log(`  durable/memory${three(single.ratios, 2)}`);
console.log(`  bytes on disk per record: ${single.bytesPerRecord.toFixed(1)} (frame 24 + record)`);
console.log(`APPEND_BLOCK (op 4), ${BLOCK_RECORDS} records in blocks of ${BLOCK}, ${BLOCK_WINDOW} blocks in flight`);
console.log(`  memory ring   ${three(block.memory)}`);
console.log(`  durable       ${three(block.durable)}   (${block.syncs} fdatasyncs per ${BLOCK_RECORDS} records: ${(BLOCK_RECORDS / block.syncs).toFixed(1)} records per sync)`);
console.log(`  durable/memory${three(block.ratios, 2)}   (goal <= 3)`);
console.log(`  bytes on disk per record: ${block.bytesPerRecord.toFixed(1)} (frame 24 + record)`);
console.log(`fdatasync       ${fmt(s.min, 1)} ${fmt(s.median, 1)} ${fmt(s.max, 1)}   µs per 200-byte write + fdatasync`);
console.log(`loadavg at end   ${loadEnd}`);
