import type { KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import { AuditError, JOURNAL_LIMITS, loadAuditPublicKey, parseJournal, type ParsedJournal } from '@nexus/audit';
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
