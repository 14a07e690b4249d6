import { parseRecordLine, verifyChain, type AuditRecord } from '@nexus/audit';
import { PO_OP } from '@nexus/proto';
import { DEMO_BUNDLES, installDemoBundles } from './install-demo-bundles.js';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';
import type { ProbeAnswer } from './policy-probe.js';
import { syncJournal } from './sync-journal.js';

/** Questions asked while logd is down: more than the UART budget, so the bound is hit. */
const OUTAGE_QUESTIONS = 16;

function parseUart(lines: readonly string[]): readonly AuditRecord[] | undefined {
  try {
    // A delivery that fails late reaches the UART after later records: order by seq, as verifyChain wants.
    return lines.map((line) => parseRecordLine(line)).sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  } catch {
    return undefined;
  }
}

async function wedgeAndKillLogd(ctx: PhaseContext): Promise<string | undefined> {
  const { system, client, reader } = ctx;
  await system.policyd.flush();
  const log = await client.log();
  if (log === undefined) return 'no route to logd';
  // logd serves a record once it is on disk: wait for the route's record to be confirmed.
  await system.policyd.flush();
  const drained = await reader.readNew(log);
  if (!drained.ok) return drained.cause;
  await system.policyd.flush();
  // Staged on purpose. This marker is about the UART fallback and the declared loss, so the UART
  // window must start right where logd stopped (an in-memory logd would also lose what it held
  // unread; a durable one keeps it, which phase `durable` proves), and the client first reads all
  // logd holds. Each read is itself an audited decision appended after it, so
  // the kernel drops the append of the last read's decision (fault injection): policyd times out and
  // re-routes that record to the UART, and logd crashes holding only records the client has read.
  const last = reader.readNew(log);
  system.kernel.faults.dropNext(system.logd.auditEndpoint, 1);
  const read = await last;
  if (!read.ok) return read.cause;
  await system.policyd.flush();
  system.kernel.kill(system.logd.task);
  return undefined;
}

async function askDuringOutage(ctx: PhaseContext): Promise<readonly ProbeAnswer[] | string> {
  const policy = await ctx.client.policy();
  if (policy === undefined) return 'no route to policyd';
  const self = ctx.client.task.serviceId;
  const answers: ProbeAnswer[] = [];
  for (let i = 0; i < OUTAGE_QUESTIONS; i++) {
    answers.push(await policy.send((nonce) => ({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce, subjectId: self, cap: 'audit.read' })));
  }
  await ctx.system.policyd.flush();
  return answers;
}

async function checkUartFallback(ctx: PhaseContext): Promise<string | undefined> {
  const { system, client, reader } = ctx;
  const wedged = await wedgeAndKillLogd(ctx);
  if (wedged !== undefined) return wedged;
  const heldBefore = reader.lastSeq;
  const answers = await askDuringOutage(ctx);
  if (typeof answers === 'string') return answers;

  const uart = parseUart(system.uart.lines());
  if (uart === undefined) return 'a UART line does not parse as an audit record';
  if (uart.length === 0) return 'nothing reached the UART';
  if (uart[0]!.seq !== heldBefore + 1n) return 'the UART records do not start where logd stopped';
  const window = verifyChain(uart);
  if (!window.ok) return `the UART records do not chain (${window.kind})`;
  const onUart = new Set(uart.map((r) => r.nonce));
  for (const answer of answers) {
    const recorded = onUart.has(BigInt(answer.nonce));
    if (answer.status === 'allow' && !recorded) return 'an allowed decision has no UART record';
    if (answer.status === 'deny' && recorded) return 'a denied decision was recorded on the UART';
    if (answer.status !== 'allow' && answer.status !== 'deny') return `policyd answered ${answer.status}`;
  }
  const unrecordable = answers.filter((a) => a.status === 'deny').length;
  if (unrecordable === 0) return 'the UART bound was never hit';

  reader.add(uart);
  await system.respawnLogd();
  // The client's old right leads to the dead logd; its new one comes from init-lite, like any route.
  // That ROUTE is policyd's first decision with logd back, so the sink declares the loss (an
  // audit-lost record) to the new logd before recording it.
  client.forget('logd');
  if ((await client.log()) === undefined) return 'no route to the restarted logd';
  const synced = await syncJournal(ctx);
  if (typeof synced === 'string') return synced;
  const { checkpoint, stats } = synced;
  if (stats.recordedDecisions + stats.lostDecisions !== stats.decisions) return 'recorded + lost differs from decisions';
  if (stats.lostDecisions !== BigInt(unrecordable)) return 'lost decisions differ from the unrecordable answers';
  if (checkpoint.dropped !== stats.lost) return 'the checkpoint does not count every lost record';
  const declared = reader.records(checkpoint.seq).filter((r) => r.kind === 'audit-lost');
  const count = declared.reduce((n, r) => n + (r.lost?.count ?? 0n), 0n);
  const decisions = declared.reduce((n, r) => n + (r.lost?.decisions ?? 0n), 0n);
  if (count !== stats.lost || decisions !== stats.lostDecisions) return 'audit-lost records do not declare the loss exactly';
  return undefined;
}

async function checkPolicydDown(ctx: PhaseContext): Promise<string | undefined> {
  const { system, client } = ctx;
  const ids = await installDemoBundles(ctx);
  if (typeof ids === 'string') return ids;
  const keystore = await client.keystore();
  const exec = await client.exec();
  if (keystore === undefined || exec === undefined) return 'no route to keystored or execd';
  // Closes the journal for --audit-out while policyd can still authorize reads; whether it verifies
  // is the audit markers' business, not this one's.
  await syncJournal(ctx);
  const before = system.spawned.length;
  system.kernel.kill(system.policyd.task);
  const signed = await keystore.sign(new TextEncoder().encode('selftest payload'));
  if (signed.status !== 'deny') return `sign answered ${signed.status} with policyd down`;
  const spawned = await exec.spawn(DEMO_BUNDLES.allowed);
  if (spawned.status !== 'deny' || system.spawned.length !== before) return `exec answered ${spawned.status} with policyd down`;
  const routed = await client.askRoute('keystored');
  if (routed.status !== 'deny') return `routing answered ${routed.status} with policyd down`;
  return undefined;
}

/**
 * Phase `faults`: logd wedges and crashes, records reach the UART as full parsable, chained text
 * records until its bound is hit, decisions that cannot be recorded are denied, and once a new logd
 * is wired (init-lite's route replaced, the client routed to it anew) the loss is declared exactly
 * (`recorded + lost == decisions`); then policyd is killed and signing, exec and routing all fail
 * closed. The crash is staged so logd holds nothing unread when it dies: that the records a durable
 * logd held unread survive its crash is phase `durable`'s marker, not this one.
 *
 * @example
 * await phaseFaults(ctx); // [{ name: 'audit uart fallback' }, { name: 'policyd down fail-closed' }]
 */
export async function phaseFaults(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [
    marker('audit uart fallback', await checkUartFallback(ctx)),
    marker('policyd down fail-closed', await checkPolicydDown(ctx)),
  ];
}
