import { verifyJournal, type AuditRecord, type JournalVerdict } from '@nexus/audit';
import { formatVerdict } from './format-verdict.js';
import { asciiJson } from './ascii-json.js';
import { readJournalFile, readKey } from './journal-input.js';
import type { CliIo } from './cli-io.js';
import { printable } from './printable.js';


/** A journal that may be used: its entries, the verdict, the warnings printed, and a one-line summary. */
export interface UsableJournal {
  readonly ok: true;
  readonly entries: readonly { readonly line: number; readonly record: AuditRecord }[];
  readonly verdict: JournalVerdict;
  readonly warnings: readonly string[];
  /** `journal ok, N records, verified through seq S` or `journal UNVERIFIED (reason)`. */
  readonly summary: string;
}

function refusalText(path: string, verdict: JournalVerdict): string {
  if (verdict.status !== 'unverified') return formatVerdict(path, verdict);
  const hint = verdict.reason === 'no-trust-anchor' ? ' (give --key PUBKEY.pem)' : '';
  return `journal ${path}: UNVERIFIED: ${printable(verdict.detail)}${hint}\nrecords: ${verdict.records}, verified through seq ${verdict.verifiedThrough}, unsealed: ${verdict.tail}\n`;
}

/**
 * Reads and verifies a journal for a command that uses its records (`learn`, `audit shadow`) as
 * `replay` does: a broken journal, and an unverified one unless `allowUnverified`, is refused
 * (printed, `{ ok: false, code: 1 }`) before any output of the command; an unverified one that is
 * allowed gets a warning. Bad files throw `CliError` (exit 2) from the readers.
 *
 * @example
 * const journal = await readVerifiedJournal('learn', 'audit.journal', 'audit-key.pem', false, false, io);
 * if (!journal.ok) return journal.code;
 */
export async function readVerifiedJournal(
  command: string,
  path: string,
  keyPath: string | undefined,
  allowUnverified: boolean,
  json: boolean,
  io: CliIo,
): Promise<UsableJournal | { readonly ok: false; readonly code: 1 }> {
  const publicKey = keyPath === undefined ? undefined : await readKey(keyPath, io);
  const { entries, bad } = await readJournalFile(path, io);
  const verdict: JournalVerdict =
    bad === undefined
      ? verifyJournal(entries, { ...(publicKey === undefined ? {} : { publicKey }), allowUnsealedTail: false, allowUnsigned: false })
      : { status: 'broken', kind: 'bad-record', line: bad.line, seq: 0n, detail: bad.detail };
  if (verdict.status === 'broken' || (verdict.status === 'unverified' && !allowUnverified)) {
    const hint = verdict.status === 'unverified' ? `${command}: refused (--allow-unverified uses it unproved)\n` : `${command}: refused\n`;
    if (json) io.stdout(asciiJson({ journal: path, ok: false, refused: true, verification: verdict }));
    else io.stderr(refusalText(printable(path), verdict) + hint);
    return { ok: false, code: 1 };
  }
  const warnings =
    verdict.status === 'unverified'
      ? [`journal is UNVERIFIED (${verdict.reason}): the output reflects what the file says, not what was decided`]
      : [...verdict.warnings];
  if (!json) for (const w of warnings) io.stderr(`warning: ${printable(w)}\n`);
  const summary =
    verdict.status === 'ok' ? `journal ok, ${verdict.records} records, verified through seq ${verdict.verifiedThrough}` : `journal UNVERIFIED (${verdict.reason})`;
  return { ok: true, entries, verdict, warnings, summary };
}
