import { resolve } from 'node:path';
import {
  AuditError,
  checkpointFromJson,
  verifyJournal,
  type AuditRecord,
  type Checkpoint,
  type JournalVerdict,
  type VerifyJournalOptions,
} from '@nexus/audit';
import { isServiceName } from '@nexus/ipc';
import { serviceIdFromName } from '@nexus/sel';
import { CliError } from './cli-error.js';
import { CommandArgs } from './command-args.js';
import { formatJson } from './format-json.js';
import { formatServiceId } from './format-service-id.js';
import { formatTable } from './format-table.js';
import type { CliIo } from './main.js';
import { readJournalFile, readKey, MAX_ANCHOR_BYTES } from './journal-input.js';
import { printable } from './printable.js';

const SERVICE_ID = /^0x[0-9a-fA-F]{1,16}$/;
/** Bounds a key or checkpoint file (both are a few hundred bytes). */

/**
 * `nexus-policy audit verify FILE [--key PUBKEY.pem] [--checkpoint FILE] [--allow-unsealed-tail]
 * [--allow-unsigned]` and `nexus-policy audit show FILE [--subject S] [--decision D]`.
 * verify: exit 0 only when every record up to the last seal chains and every seal verifies under
 * the key (or the records chain to the checkpoint given), and nothing follows unsealed (unless
 * `--allow-unsealed-tail`); without a key or checkpoint, only with `--allow-unsigned` (a warning).
 * Exit 1 for a broken or unparsable journal (the break's class, line and seq are printed) and for
 * one that proves nothing; exit 2 for usage errors and files that cannot be read. show: the records
 * as a table, every field escaped (`printable`), exit 0.
 *
 * @example
 * await auditCommand(['verify', 'audit.journal', '--key', 'audit-key.pem'], io); // 0, prints 'journal audit.journal: ok'
 */
export async function auditCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'verify') return verify(rest, io);
  if (sub === 'show') return show(rest, io);
  throw new CliError('USAGE', `audit: expected "verify" or "show", got ${sub === undefined ? 'nothing' : `"${printable(sub.slice(0, 32))}"`}`);
}

/** JSON whose every non-ASCII character is escaped too, so no field can reach the terminal raw. */
function asciiJson(value: unknown): string {
  return formatJson(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}



async function readCheckpoint(path: string, io: CliIo): Promise<Checkpoint> {
  const text = await io.readFile(resolve(io.cwd, path), MAX_ANCHOR_BYTES);
  try {
    return checkpointFromJson(JSON.parse(text));
  } catch (cause) {
    const detail = cause instanceof AuditError ? cause.message.replace(/^[A-Z_]+: /, '') : 'not JSON';
    throw new CliError('USAGE', `--checkpoint: ${detail}`, { file: printable(path), cause });
  }
}

async function verify(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse(
    'audit verify',
    argv,
    {
      key: { type: 'string' },
      checkpoint: { type: 'string' },
      'allow-unsealed-tail': { type: 'boolean' },
      'allow-unsigned': { type: 'boolean' },
    },
    { min: 1, max: 1 },
  );
  const path = args.positionals[0] ?? '';
  const keyPath = args.string('key');
  const checkpointPath = args.string('checkpoint');
  const options: VerifyJournalOptions = {
    ...(keyPath === undefined ? {} : { publicKey: await readKey(keyPath, io) }),
    ...(checkpointPath === undefined ? {} : { checkpoint: await readCheckpoint(checkpointPath, io) }),
    allowUnsealedTail: args.flag('allow-unsealed-tail'),
    allowUnsigned: args.flag('allow-unsigned'),
  };
  const { entries, bad } = await readJournalFile(path, io);
  const verdict: JournalVerdict =
    bad === undefined ? verifyJournal(entries, options) : { status: 'broken', kind: 'bad-record', line: bad.line, seq: 0n, detail: bad.detail };
  const code = verdict.status === 'ok' ? 0 : 1;
  if (args.json) {
    io.stdout(asciiJson({ file: path, ok: code === 0, ...verdict }));
    return code;
  }
  io.stdout(formatVerdict(printable(path), verdict));
  return code;
}

/**
 * The text `audit verify` prints for a verdict (the path already escaped).
 *
 * @example
 * formatVerdict('j.journal', verdict); // 'journal j.journal: ok\nrecords: 9, last seq: 9, sealed through seq 9 (3 seals)\n'
 */
export function formatVerdict(path: string, verdict: JournalVerdict): string {
  if (verdict.status === 'broken') {
    const at = verdict.seq === 0n ? `line ${verdict.line}` : `line ${verdict.line} (seq ${verdict.seq})`;
    return `journal ${path}: BROKEN at ${at}: ${verdict.kind}: ${printable(verdict.detail)}\n`;
  }
  if (verdict.status === 'unverified') {
    const hint = {
      'no-trust-anchor': ' (give --key PUBKEY.pem or --checkpoint FILE; --allow-unsigned accepts it unproved)',
      'no-seal': '',
      'unsealed-tail': ' (--allow-unsealed-tail accepts it)',
      empty: '',
    }[verdict.reason];
    return `journal ${path}: UNVERIFIED: ${printable(verdict.detail)}${hint}\nrecords: ${verdict.records}, verified through seq ${verdict.verifiedThrough}, unsealed: ${verdict.tail}\n`;
  }
  const warnings = verdict.warnings.map((w) => `warning: ${printable(w)}\n`).join('');
  return `journal ${path}: ok\nrecords: ${verdict.records}, last seq: ${verdict.lastSeq}, verified through seq ${verdict.verifiedThrough} (${verdict.seals} seals)\n${warnings}`;
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
    throw new CliError('USAGE', `audit show: --decision must be allow or deny, got "${printable(String(decision).slice(0, 32))}"`);
  }
  const path = args.positionals[0] ?? '';
  const { entries, bad } = await readJournalFile(path, io);
  if (bad !== undefined) {
    throw new CliError('JOURNAL', `not a journal: ${printable(bad.detail)} (audit verify classifies it)`, { file: printable(path), line: bad.line });
  }
  const shown = entries
    .map((e) => e.record)
    .filter(
      (r) =>
        (subject === undefined || (r.kind === 'decision' && r.subjectId === subject)) &&
        (decision === undefined || (r.kind === 'decision' && r.decision === decision)),
    );
  if (args.json) {
    io.stdout(asciiJson({ file: path, records: shown }));
    return 0;
  }
  io.stdout(formatTable(['seq', 'time', 'op', 'subject', 'action', 'target', 'decision', 'reason', 'rule'], shown.map(row)));
  return 0;
}

function subjectFilter(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  const shown = printable(text.slice(0, 64));
  if (SERVICE_ID.test(text)) return BigInt(text);
  if (isServiceName(text)) return serviceIdFromName(text);
  throw new CliError('USAGE', `audit show: --subject must be a service name or 0x<hex id>, got "${shown}"`);
}

/** One table row; every field that came from the file goes through `printable`. */
function row(r: AuditRecord): string[] {
  const time = `${r.timestampNs / 1_000_000_000n}.${(r.timestampNs % 1_000_000_000n).toString().padStart(9, '0')}s`;
  const control = (what: string): string[] => [`${r.seq}`, time, r.kind, '-', what, '-', '-', '-', '-'];
  if ((r.kind === 'audit-lost' || r.kind === 'audit-evicted') && r.lost !== undefined) {
    return control(`${r.kind === 'audit-lost' ? 'lost' : 'evicted'} seq ${r.lost.fromSeq}..${r.lost.toSeq} (${r.lost.count})`);
  }
  if (r.kind === 'sink-switch') return control(`to ${r.sink ?? '?'}`);
  if (r.kind === 'checkpoint' && r.checkpoint !== undefined) {
    return control(`${r.checkpoint.signature === undefined ? 'unsealed' : 'sealed'} through seq ${r.checkpoint.headSeq}`);
  }
  return [
    `${r.seq}`,
    time,
    r.op,
    formatServiceId(r.subjectId),
    r.action === '' ? '-' : printable(r.action),
    r.target === undefined ? '-' : printable(r.target),
    r.decision,
    r.reason,
    r.rule === undefined ? '-' : printable(r.rule),
  ];
}
