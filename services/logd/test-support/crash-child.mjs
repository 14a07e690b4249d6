// The child process of the crash-safety test: a kernel with a durable logd on the state dir given
// as argv[2], and a policyd-like writer that floods audit APPENDs (a new boot: a chain from seq 1)
// with up to 32 in flight. After each OK reply it prints `ack <seq>` — on Linux a write to a pipe
// is synchronous, so a line printed is a line the parent will read even if SIGKILL follows at once.
// Runs the built packages (dist): the test builds them first.
import { AuditChain } from '@nexus/audit';
import { Kernel } from '@nexus/ipc';
import { startLogd } from '@nexus/logd';
import { decodeLogReply, encodeLogRequest } from '@nexus/proto';

const stateDir = process.argv[2];
const kernel = new Kernel();
const writer = kernel.spawn('policyd');
const logd = startLogd(kernel, {
  auditWriter: writer.serviceId,
  stateDir,
  segmentBytes: 64 * 1024,
  auditQueueDepth: 64,
  console: (line) => process.stderr.write(`${line}\n`),
});
const route = kernel.grant(logd.auditEndpoint, writer);
const chain = new AuditChain({ policyVersion: `sha256:${'cd'.repeat(32)}` });
let i = 0;

async function one() {
  const n = (i += 1);
  const { encoded, record } = chain.appendSealed({
    timestampNs: BigInt(i),
    subjectId: BigInt(0x1000 + (i % 13)),
    senderId: BigInt(0x1000 + (i % 13)),
    op: 'check_cap',
    action: 'x'.repeat(1 + (i % 40)),
    decision: i % 2 === 0 ? 'allow' : 'deny',
    reason: i % 2 === 0 ? 'policy-allow' : 'no-rule',
    policyVersion: `sha256:${'cd'.repeat(32)}`,
  });
  const req = { version: 2, op: 1, nonce: BigInt(n), level: 2, scope: 'policyd.audit', msg: '', fields: encoded };
  const reply = decodeLogReply((await writer.call(route, encodeLogRequest(req), { timeoutMs: 60_000 })).frame, { version: 2, op: 1, nonce: BigInt(n) });
  if (reply.op === 1 && reply.status === 0) process.stdout.write(`ack ${record.seq}\n`);
  else process.stdout.write(`refused ${record.seq} ${reply.status}\n`);
}

// One worker chain per slot; records are chained in call order, so seq order is delivery order.
async function worker() {
  for (;;) await one();
}
process.stdout.write('ready\n');
for (let w = 0; w < 32; w++) void worker();
