import { AuditError } from './audit-error.js';
import { AUDIT_LIMITS, type AuditRecord } from './audit-record.js';
import { formatRecordLine } from './format-record-line.js';
import { parseRecordLine } from './parse-record-line.js';

/**
 * Bounds of a journal file, checked before anything is parsed.
 *
 * @example
 * if (size > JOURNAL_LIMITS.maxBytes) refuse();
 */
export const JOURNAL_LIMITS: { readonly maxBytes: number; readonly maxLineChars: number } = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxLineChars: AUDIT_LIMITS.maxLineChars,
});

/**
 * One record of a journal and the 1-based line it was read from.
 *
 * @example
 * const { line, record }: JournalEntry = parseJournal(text).entries[0]!;
 */
export interface JournalEntry {
  readonly line: number;
  readonly record: AuditRecord;
}

/**
 * A parsed journal: the entries before the first line that does not parse, and that line (if any).
 *
 * @example
 * const { entries, bad }: ParsedJournal = parseJournal(text); if (bad) console.log(bad.line, bad.detail);
 */
export interface ParsedJournal {
  readonly entries: readonly JournalEntry[];
  readonly bad: { readonly line: number; readonly detail: string } | undefined;
}

/**
 * Writes records as a journal (format v2): one `formatRecordLine` text line per record, in the order
 * given (seq order: merge the primary's and the UART's records by seq first), each ending in `\n`.
 * Checkpoint lines carry the exact signed bytes (`cp=`) and the signature (`sig=`), so the file is
 * its own evidence; there is no separate checkpoint line that a writer could recompute.
 *
 * @example
 * writeFileSync('audit.journal', writeJournal(records));
 */
export function writeJournal(records: readonly AuditRecord[]): string {
  let out = '';
  for (const record of records) out += `${formatRecordLine(record)}\n`;
  return out;
}

/**
 * Parses a journal. The text is bounded (64 MiB, else `AuditError('TOO_LARGE')`: a file the verifier
 * will not read). Every line must be one canonical record line (`parseRecordLine`, at most 2048
 * characters, no `\r`, no blank line); parsing stops at the first line that is not, which is
 * returned as `bad` with its 1-based number and cause. A final `\n` is allowed (and expected).
 *
 * @example
 * parseJournal(writeJournal(records)).entries.map((e) => e.record); // deep-equals records
 */
export function parseJournal(text: string): ParsedJournal {
  if (typeof text !== 'string') throw new AuditError('MALFORMED', 'a journal is text');
  if (text.length > JOURNAL_LIMITS.maxBytes || Buffer.byteLength(text) > JOURNAL_LIMITS.maxBytes) {
    throw new AuditError('TOO_LARGE', `journal is larger than ${JOURNAL_LIMITS.maxBytes} bytes`);
  }
  const entries: JournalEntry[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    line++;
    const end = text.indexOf('\n', start);
    if (end === -1) return { entries, bad: { line, detail: 'the last line does not end with a newline' } };
    const source = text.slice(start, end);
    start = end + 1;
    try {
      entries.push({ line, record: parseRecordLine(source) });
    } catch (cause) {
      if (!(cause instanceof AuditError)) throw cause;
      return { entries, bad: { line, detail: cause.message } };
    }
  }
  return { entries, bad: undefined };
}

/**
 * `parseJournal` that throws `AuditError` (its message starting `line N:`) at the first bad line,
 * for callers that only read journals they wrote.
 *
 * @example
 * readJournal(writeJournal(records)); // deep-equals records
 */
export function readJournal(text: string): AuditRecord[] {
  const { entries, bad } = parseJournal(text);
  if (bad !== undefined) throw new AuditError('MALFORMED', `line ${bad.line}: ${bad.detail}`);
  return entries.map((e) => e.record);
}
