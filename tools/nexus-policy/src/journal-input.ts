import type { KeyObject } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AuditError, decodeRecord, JOURNAL_LIMITS, loadAuditPublicKey, parseJournal, sameBytes, type JournalEntry, type ParsedJournal } from '@nexus/audit';
import { LogdError, readAuditStateDir, type JournalRecovery } from '@nexus/logd';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { printable } from './printable.js';

/** The most a trust anchor file (`--key`, `--checkpoint`) may hold. */
export const MAX_ANCHOR_BYTES: number = 64 * 1024;

/**
 * Reads and parses an audit journal file for the commands that verify one (`audit`, `replay`).
 * Read as latin1: the format is ASCII, so a stray byte is a bad line (unverified, exit 1), not an
 * unreadable file. A file over the journal bound is `CliError('TOO_LARGE')`.
 *
 * @example
 * const journal = await readJournalFile('audit.jsonl', io);
 */
export async function readJournalFile(path: string, io: CliIo): Promise<ParsedJournal> {
  const text = await io.readFile(resolve(io.cwd, path), JOURNAL_LIMITS.maxBytes, 'latin1');
  try {
    return parseJournal(text);
  } catch (cause) {
    if (cause instanceof AuditError) throw new CliError('TOO_LARGE', cause.message, { file: printable(path), cause });
    throw cause;
  }
}

/**
 * Reads the audit public key given as `--key` (SPKI PEM). A file that is not an Ed25519 public key
 * is `CliError('USAGE')` with the path, escaped.
 *
 * @example
 * const key = await readKey('audit-key.pem', io);
 */
export async function readKey(path: string, io: CliIo): Promise<KeyObject> {
  const text = await io.readFile(resolve(io.cwd, path), MAX_ANCHOR_BYTES);
  try {
    return loadAuditPublicKey(text);
  } catch (cause) {
    if (cause instanceof AuditError) throw new CliError('USAGE', `--key: ${cause.message.replace(/^[A-Z_]+: /, '')}`, { file: printable(path), cause });
    throw cause;
  }
}

/**
 * One journal to verify or show: a journal file, or one boot of a logd state dir (each boot is
 * its own chain from seq 1). `label` names it in the output, already escaped.
 *
 * @example
 * const input: JournalInput = { label: 'state boot 0 (ab12…)', journal: { entries, bad: undefined } };
 */
export interface JournalInput {
  readonly label: string;
  readonly journal: ParsedJournal;
  /** For a state dir: the boot's ordinal and boot id. */
  readonly boot?: { readonly ordinal: number; readonly bootId: string | undefined };
}

/**
 * Reads `path` for `audit verify` / `audit show`: a journal file (one input), or a logd state dir
 * (a folder with `audit/` segments: one input per boot, read without repairing anything; a
 * record's "line" is its place in its boot). `recovery` is the state dir's report (torn tail,
 * corruptions), absent for a file. A folder that is not a state dir is `CliError('USAGE')`.
 *
 * @example
 * const { inputs } = await readJournalInputs('/var/lib/logd', io); // one per boot
 */
export async function readJournalInputs(path: string, io: CliIo): Promise<{ readonly inputs: readonly JournalInput[]; readonly recovery?: JournalRecovery }> {
  const full = resolve(io.cwd, path);
  let isDir = false;
  try {
    isDir = statSync(full).isDirectory();
  } catch {
    // Not there or not readable: the file read below reports it the usual way.
  }
  if (!isDir) return { inputs: [{ label: printable(path), journal: await readJournalFile(path, io) }] };
  let read: ReturnType<typeof readAuditStateDir>;
  try {
    read = readAuditStateDir(full);
  } catch (cause) {
    if (cause instanceof LogdError) throw new CliError('USAGE', `not a logd state dir: ${cause.message.replace(/^[A-Z_]+: /, '').replace(/ \(.*\)$/, '')}`, { file: printable(path), cause });
    throw cause;
  }
  const inputs = read.boots.map((b): JournalInput => {
    // logd stored only records that decoded; decoding again cannot fail unless the file changed.
    const entries: JournalEntry[] = b.records.map((bytes, i) => ({ line: i + 1, record: decodeRecord(bytes) }));
    const id = b.bootId === undefined ? '' : ` (${b.bootId.slice(0, 16)})`;
    return { label: `${printable(path)} boot ${b.ordinal}${id}`, journal: { entries, bad: undefined }, boot: { ordinal: b.ordinal, bootId: b.bootId } };
  });
  return { inputs, recovery: read.report };
}

/**
 * Merges the serial line's records (`--uart FILE`: what `npm start -- --uart-out` writes, the
 * records policyd sent to the UART while logd was down) into the one input they continue: the
 * journal file, or the boot of a state dir that holds the record right before the first UART record
 * (same seq − 1, its hash that record's `prevHash`). Records are merged by seq; a record present in
 * both with the same hash is kept once, any other pair stays for the verifier to report. A UART
 * file that does not parse is `CliError('JOURNAL')` with its line; one that continues no input is
 * `CliError('USAGE')`.
 *
 * @example
 * const merged = mergeUart(inputs, await readJournalFile('uart.txt', io), 'uart.txt');
 */
export function mergeUart(inputs: readonly JournalInput[], uart: ParsedJournal, uartLabel: string): JournalInput[] {
  if (uart.bad !== undefined) {
    throw new CliError('JOURNAL', `--uart: not a journal: ${printable(uart.bad.detail)}`, { file: uartLabel, line: uart.bad.line });
  }
  const first = uart.entries[0]?.record;
  if (first === undefined) return [...inputs];
  const continues = (input: JournalInput): boolean =>
    input.journal.entries.some((e) => e.record.seq === first.seq - 1n && sameBytes(e.record.hash, first.prevHash));
  const at = inputs.length === 1 && inputs[0]?.boot === undefined ? 0 : inputs.findIndex(continues);
  const target = inputs[at];
  if (target === undefined) throw new CliError('USAGE', `--uart: its first record (seq ${first.seq}) continues no boot of the state dir`, { file: uartLabel });
  const bySeq = [...target.journal.entries, ...uart.entries].sort((a, b) => (a.record.seq < b.record.seq ? -1 : a.record.seq > b.record.seq ? 1 : 0));
  const merged: JournalEntry[] = [];
  for (const entry of bySeq) {
    const prev = merged.at(-1)?.record;
    if (prev !== undefined && prev.seq === entry.record.seq && sameBytes(prev.hash, entry.record.hash)) continue;
    merged.push({ line: merged.length + 1, record: entry.record });
  }
  const bad = target.journal.bad;
  const input: JournalInput = { ...target, label: `${target.label} + ${uartLabel}`, journal: bad === undefined ? { entries: merged, bad: undefined } : { entries: merged, bad } };
  return inputs.map((one, i) => (i === at ? input : one));
}

