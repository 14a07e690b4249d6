// Durable audit appends vs in-memory appends, measured in the same run. Build first:
//   npx tsc -b services/logd
// Lines:
//   memory ring     audit APPENDs through the kernel to a logd without a state dir (records in
//                   its memory ring), WINDOW calls in flight at a time, as policyd's sink keeps them.
//   durable         the same APPENDs to a logd with a state dir: each acknowledged only after its
//                   record is on disk; group commit makes one fdatasync per batch.
//   fdatasync       one write of a 200-byte record + one fdatasync on this machine (the floor of an
//                   ungrouped durable append).
// Printed: min / median / max over ROUNDS of appends per second, the ratio of the medians
// (goal of issue #16: durable ≤ 3× the memory ring), syncs per round, bytes on disk per record.
import { fdatasyncSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditChain } from '@nexus/audit';
import { Kernel } from '@nexus/ipc';
import { startLogd } from '@nexus/logd';
import { encodeLogRequest, decodeLogReply } from '@nexus/proto';

const RECORDS = 4000;
const ROUNDS = 7;
const WINDOW = 32;
const POLICY = `sha256:${'ab'.repeat(32)}`;

function records(n) {
  const chain = new AuditChain({ policyVersion: POLICY });
  return Array.from({ length: n }, (_, i) =>
    encodeLogRequest({
      version: 2, op: 1, nonce: BigInt(i + 1), level: 2, scope: 'policyd.audit', msg: '',
      fields: chain.appendSealed({
        timestampNs: BigInt(i), subjectId: 0x1234n + BigInt(i % 9), senderId: 0x1234n, op: 'check_cap', action: 'ipc.core',
        decision: i % 4 === 0 ? 'deny' : 'allow', reason: i % 4 === 0 ? 'no-rule' : 'policy-allow', rule: 'base.toml:3', policyVersion: POLICY,
      }).encoded,
    }));
}

async function round(frames, stateDir) {
  const kernel = new Kernel();
  const writer = kernel.spawn('policyd');
  const logd = startLogd(kernel, { auditWriter: writer.serviceId, auditQueueDepth: 64, audit: { maxRecords: 4096 }, ...(stateDir ? { stateDir } : {}) });
  const route = kernel.grant(logd.auditEndpoint, writer);
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
  const ms = performance.now() - t0;
  const stats = logd.stats();
  await logd.close();
  if (failed > 0) throw new Error(`${failed} appends failed`);
  return { perSec: (frames.length / ms) * 1000, syncs: stats.storage?.syncs ?? 0, bytes: stats.storage?.auditBytes ?? 0 };
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

const frames = records(RECORDS);
// Warm both paths once (JIT, first file creation).
const warmDir = mkdtempSync(join(tmpdir(), 'logd-bench-'));
await round(frames.slice(0, 500));
await round(frames.slice(0, 500), join(warmDir, 'state'));
rmSync(warmDir, { recursive: true, force: true });

const memory = [];
const durable = [];
const syncs = [];
let bytesPerRecord = 0;
for (let r = 0; r < ROUNDS; r++) {
  memory.push((await round(frames)).perSec);
  const dir = mkdtempSync(join(tmpdir(), 'logd-bench-'));
  const d = await round(frames, dir);
  rmSync(dir, { recursive: true, force: true });
  durable.push(d.perSec);
  syncs.push(d.syncs);
  bytesPerRecord = (d.bytes - 32) / RECORDS; // minus the one segment header
}
const m = stat(memory);
const d = stat(durable);
const s = stat(fdatasyncCost(200));
console.log(`logd audit appends, ${RECORDS} records x ${ROUNDS} rounds, ${WINDOW} in flight (appends/s: min / median / max)`);
console.log(`  memory ring   ${fmt(m.min)} ${fmt(m.median)} ${fmt(m.max)}`);
console.log(`  durable       ${fmt(d.min)} ${fmt(d.median)} ${fmt(d.max)}   (${stat(syncs).median} fdatasyncs per ${RECORDS} records: ${(RECORDS / stat(syncs).median).toFixed(1)} records per sync)`);
console.log(`  fdatasync     ${fmt(s.min, 1)} ${fmt(s.median, 1)} ${fmt(s.max, 1)}   µs per 200-byte write + fdatasync`);
console.log(`  bytes on disk per record: ${bytesPerRecord.toFixed(1)} (frame 24 + record)`);
console.log(`  durable cost: ${(m.median / d.median).toFixed(2)}x the memory ring (goal <= 3x)`);
