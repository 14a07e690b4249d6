import { resolve } from 'node:path';
import {
  AuditError,
  checkpointFromJson,
  verifyJournal,
  type Checkpoint,
  type JournalVerdict,
  type VerifyJournalOptions,
} from '@nexus/audit';
import { auditShadowCommand } from './audit-shadow-command.js';
import { formatVerdict } from './format-verdict.js';
import { CliError } from './cli-error.js';
import { CommandArgs } from './command-args.js';
import type { CliIo } from './cli-io.js';
import { mergeUart, readJournalFile, readJournalInputs, readKey, MAX_ANCHOR_BYTES, type JournalInput } from './journal-input.js';
import { printable } from './printable.js';
import { auditShow } from './audit-show.js';
import { asciiJson } from './ascii-json.js';


/**
 * `nexus-policy audit verify FILE|STATE_DIR [--key PUBKEY.pem] [--checkpoint FILE] [--allow-unsealed-tail]
 * [--allow-unsigned]` and `nexus-policy audit show FILE|STATE_DIR [--subject S] [--decision D] [--policy DIR]`
 * (see `auditShow`). A logd state dir is read as one journal per boot, each verified on its own
 * (exit 0 only when every boot verifies; a corruption logd's recovery reports is a warning, exit 1).
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
  if (sub === 'show') return auditShow(rest, io);
  if (sub === 'shadow') return auditShadowCommand(rest, io);
  if (sub === 'export') {
    // Loaded on use: the OpenTelemetry packages are large, and only this command needs them (tools
    // importing the CLI's API, such as the selftest, never load them).
    const { auditExportCommand } = await import('./export-otlp-command.js');
    return auditExportCommand(rest, io);
  }
  throw new CliError('USAGE', `audit: expected "verify", "show", "shadow" or "export", got ${sub === undefined ? 'nothing' : `"${printable(sub.slice(0, 32))}"`}`);
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
      uart: { type: 'string' },
    },
    { min: 1, max: 1 },
  );
  const path = args.positionals[0] ?? '';
  const uartPath = args.string('uart');
  const keyPath = args.string('key');
  const checkpointPath = args.string('checkpoint');
  const options: VerifyJournalOptions = {
    ...(keyPath === undefined ? {} : { publicKey: await readKey(keyPath, io) }),
    ...(checkpointPath === undefined ? {} : { checkpoint: await readCheckpoint(checkpointPath, io) }),
    allowUnsealedTail: args.flag('allow-unsealed-tail'),
    allowUnsigned: args.flag('allow-unsigned'),
  };
  const read = await readJournalInputs(path, io);
  const recovery = read.recovery;
  const inputs = uartPath === undefined ? read.inputs : mergeUart(read.inputs, await readJournalFile(uartPath, io), printable(uartPath));
  const verdictOf = ({ journal: { entries, bad } }: JournalInput): JournalVerdict =>
    bad === undefined ? verifyJournal(entries, options) : { status: 'broken', kind: 'bad-record', line: bad.line, seq: 0n, detail: bad.detail };
  if (recovery === undefined) {
    const verdict = verdictOf(inputs[0] as JournalInput);
    const code = verdict.status === 'ok' ? 0 : 1;
    if (args.json) {
      io.stdout(asciiJson({ file: path, ok: code === 0, ...verdict }));
      return code;
    }
    io.stdout(formatVerdict(printable(path), verdict));
    return code;
  }
  // A state dir: every boot on its own; damage recovery found fails the whole dir.
  const verdicts = inputs.map((input) => ({ input, verdict: verdictOf(input) }));
  const damaged = recovery.corruptions.length > 0;
  const code = !damaged && verdicts.length > 0 && verdicts.every((v) => v.verdict.status === 'ok') ? 0 : 1;
  if (args.json) {
    io.stdout(asciiJson({
      dir: path, ok: code === 0, tornTail: recovery.tornTail, corruptions: recovery.corruptions,
      boots: verdicts.map(({ input, verdict }) => ({ boot: input.boot?.ordinal, bootId: input.boot?.bootId, ok: verdict.status === 'ok', ...verdict })),
    }));
    return code;
  }
  const head = `state dir ${printable(path)}: ${verdicts.length} boots, ${recovery.records} records in ${recovery.segments} segments\n`;
  const torn = recovery.tornTail === undefined ? '' : `note: torn tail of ${recovery.tornTail.bytes} bytes at ${recovery.tornTail.segment}@${recovery.tornTail.offset} (never acknowledged; logd cuts it at start)\n`;
  const corrupt = recovery.corruptions.map((c) => `warning: ${c.kind} at ${c.segment}@${c.offset} (${c.bytes} bytes not readable)\n`).join('');
  io.stdout(head + torn + corrupt + verdicts.map(({ input, verdict }) => formatVerdict(input.label, verdict)).join(''));
  return code;
}
