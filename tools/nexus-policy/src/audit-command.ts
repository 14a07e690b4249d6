import { resolve } from 'node:path';
import type { AuditRecord } from '@nexus/audit';
import { isServiceName } from '@nexus/ipc';
import { serviceIdFromName } from '@nexus/sel';
import { CliError } from './cli-error.js';
import { CommandArgs } from './command-args.js';
import { formatJson } from './format-json.js';
import { formatServiceId } from './format-service-id.js';
import { formatTable } from './format-table.js';
import { JOURNAL_LIMITS, readJournal, type Journal } from './journal.js';
import type { CliIo } from './main.js';
import { verifyJournal } from './verify-journal.js';

const SERVICE_ID = /^0x[0-9a-fA-F]{1,16}$/;

/**
 * `nexus-policy audit verify FILE [--allow-no-checkpoint]` and
 * `nexus-policy audit show FILE [--subject S] [--decision D]`.
 * verify: exit 0 only when the journal's records verify against its checkpoint (or, with
 * `--allow-no-checkpoint`, from the head without one, printed with a warning); 1 at the first break
 * (printed with its kind) or when nothing was proved (no records; no checkpoint); 2 when the file
 * cannot be read or parsed. show: prints the records as a table, exit 0.
 *
 * @example
 * await auditCommand(['verify', 'audit.jsonl'], io); // 0, prints 'journal audit.jsonl: ok'
 */
export async function auditCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'verify') return verify(rest, io);
  if (sub === 'show') return show(rest, io);
  throw new CliError('USAGE', `audit: expected "verify" or "show", got ${sub === undefined ? 'nothing' : `"${sub.slice(0, 32)}"`}`);
}

async function readJournalFile(path: string, io: CliIo): Promise<Journal> {
  const text = await io.readFile(resolve(io.cwd, path), JOURNAL_LIMITS.maxBytes);
  try {
    return readJournal(text);
  } catch (cause) {
    if (!(cause instanceof CliError)) throw cause;
    throw new CliError(cause.code, cause.message.replace(/^(\d+: )?/, ''), { file: path, line: cause.line, cause });
  }
}

async function verify(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse('audit verify', argv, { 'allow-no-checkpoint': { type: 'boolean' } }, { min: 1, max: 1 });
  const path = args.positionals[0] ?? '';
  const journal = await readJournalFile(path, io);
  const verdict = verifyJournal(journal, { allowNoCheckpoint: args.flag('allow-no-checkpoint') });
  const code = verdict.status === 'ok' ? 0 : 1;
  if (args.json) {
    const checkpointSeq = journal.checkpoint?.seq ?? null;
    io.stdout(formatJson({ file: path, records: journal.records.length, ok: code === 0, ...verdict, checkpointSeq }));
    return code;
  }
  if (verdict.status === 'broken') {
    // A truncated tail breaks past the last record present, so name the last one instead.
    const count = journal.records.length;
    const where = verdict.index >= count ? `after record ${count}` : `at record ${verdict.index + 1}`;
    io.stdout(`journal ${path}: BROKEN ${where} (seq ${verdict.seq}): ${verdict.kind}: ${verdict.detail}\n`);
  } else if (verdict.status === 'unverified') {
    const hint = verdict.reason === 'no-checkpoint' ? ' (--allow-no-checkpoint accepts the window)' : '';
    io.stdout(`journal ${path}: UNVERIFIED: ${verdict.detail}${hint}\nrecords: ${verdict.count}\n`);
  } else {
    const checkpoint = verdict.checkpointSeq === undefined ? `warning: ${verdict.warning ?? ''}` : `checkpoint seq: ${verdict.checkpointSeq}`;
    io.stdout(`journal ${path}: ok\nrecords: ${verdict.count}, last seq: ${verdict.lastSeq}, ${checkpoint}\n`);
  }
  return code;
}

async function show(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse(
    'audit show',
    argv,
    { subject: { type: 'string' }, decision: { type: 'string' } },
    { min: 1, max: 1 },
  );
  const subject = subjectFilter(args.string('subject'));
  const decision = args.string('decision');
  if (decision !== undefined && decision !== 'allow' && decision !== 'deny') {
    throw new CliError('USAGE', `audit show: --decision must be allow or deny, got "${decision.slice(0, 32)}"`);
  }
  const path = args.positionals[0] ?? '';
  const { records } = await readJournalFile(path, io);
  const shown = records.filter(
    (r) =>
      (subject === undefined || (r.kind === 'decision' && r.subjectId === subject)) &&
      (decision === undefined || (r.kind === 'decision' && r.decision === decision)),
  );
  if (args.json) {
    io.stdout(formatJson({ file: path, records: shown }));
    return 0;
  }
  io.stdout(
    formatTable(
      ['seq', 'time', 'op', 'subject', 'action', 'target', 'decision', 'reason', 'rule'],
      shown.map(row),
    ),
  );
  return 0;
}

function subjectFilter(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  if (SERVICE_ID.test(text)) return BigInt(text);
  const shown = text.slice(0, 64);
  if (isServiceName(text)) return serviceIdFromName(text);
  throw new CliError('USAGE', `audit show: --subject must be a service name or 0x<hex id>, got "${shown}"`);
}

function row(r: AuditRecord): string[] {
  const time = `${r.timestampNs / 1_000_000_000n}.${(r.timestampNs % 1_000_000_000n).toString().padStart(9, '0')}s`;
  if (r.kind === 'audit-lost') {
    const lost = r.lost === undefined ? '' : `lost seq ${r.lost.fromSeq}..${r.lost.toSeq} (${r.lost.count})`;
    return [`${r.seq}`, time, r.kind, '-', lost, '-', '-', '-', '-'];
  }
  if (r.kind === 'sink-switch') return [`${r.seq}`, time, r.kind, '-', `to ${r.sink ?? '?'}`, '-', '-', '-', '-'];
  return [
    `${r.seq}`,
    time,
    r.op,
    formatServiceId(r.subjectId),
    r.action === '' ? '-' : r.action,
    r.target ?? '-',
    r.decision,
    r.reason,
    r.rule ?? '-',
  ];
}
