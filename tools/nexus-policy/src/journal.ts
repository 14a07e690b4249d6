import {
  checkpointFromJson,
  checkpointToJson,
  formatRecordLine,
  parseRecordLine,
  type AuditRecord,
  type Checkpoint,
} from '@nexus/audit';
import { CliError } from './cli-error.js';

/** An audit journal: records in seq order and the checkpoint that closes it, if any. */
export interface Journal {
  readonly records: readonly AuditRecord[];
  readonly checkpoint: Checkpoint | undefined;
}

/** Bounds of a journal file, checked before anything is parsed. */
export const JOURNAL_LIMITS: { readonly maxBytes: number; readonly maxLineBytes: number } = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxLineBytes: 16 * 1024,
});

/**
 * Serialises records (and a checkpoint) as a journal: JSON Lines, one
 * `{"type":"record","line":"audit v1 op=..."}` per record (the `line` is `formatRecordLine`), then
 * `{"type":"checkpoint", ...checkpointToJson(checkpoint)}` as the last line. Ends with a newline.
 *
 * @example
 * writeFileSync('audit.jsonl', writeJournal(records, chain.checkpoint()));
 */
export function writeJournal(records: readonly AuditRecord[], checkpoint?: Checkpoint): string {
  let out = '';
  for (const record of records) out += `${JSON.stringify({ type: 'record', line: formatRecordLine(record) })}\n`;
  if (checkpoint !== undefined) out += `${JSON.stringify({ type: 'checkpoint', ...checkpointToJson(checkpoint) })}\n`;
  return out;
}

/**
 * Parses a journal written by `writeJournal`. The text is bounded (64 MiB, 16 KiB per line) and
 * every line is checked: a line that is not one JSON object of a known type, a record line that
 * `parseRecordLine` rejects, a second checkpoint or anything after the checkpoint throws
 * `CliError('JOURNAL')` (or `'TOO_LARGE'`) with the 1-based line. A blank last line is allowed.
 * Whether the records form a valid chain is not checked here: that is `verifyChain`'s job.
 *
 * @example
 * const { records, checkpoint } = readJournal(text);
 * verifyChain(records, checkpoint).ok;
 */
export function readJournal(text: string): Journal {
  if (text.length > JOURNAL_LIMITS.maxBytes || Buffer.byteLength(text) > JOURNAL_LIMITS.maxBytes) {
    throw new CliError('TOO_LARGE', `journal is larger than ${JOURNAL_LIMITS.maxBytes} bytes`);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const records: AuditRecord[] = [];
  let checkpoint: Checkpoint | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const source = lines[index] ?? '';
    if (source.length > JOURNAL_LIMITS.maxLineBytes || Buffer.byteLength(source) > JOURNAL_LIMITS.maxLineBytes) {
      throw new CliError('JOURNAL', `line is longer than ${JOURNAL_LIMITS.maxLineBytes} bytes`, { line });
    }
    if (checkpoint !== undefined) throw new CliError('JOURNAL', 'nothing may follow the checkpoint line', { line });
    const entry = parseLine(source, line);
    if (entry.type === 'record') {
      records.push(entry.record);
    } else {
      checkpoint = entry.checkpoint;
    }
  }
  return { records, checkpoint };
}

type Entry = { type: 'record'; record: AuditRecord } | { type: 'checkpoint'; checkpoint: Checkpoint };

function parseLine(source: string, line: number): Entry {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (cause) {
    throw new CliError('JOURNAL', 'not a JSON object', { line, cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError('JOURNAL', 'not a JSON object', { line });
  }
  const { type, ...rest } = value as Record<string, unknown>;
  if (type === 'record') {
    const keys = Object.keys(rest);
    if (keys.length !== 1 || typeof rest['line'] !== 'string') {
      throw new CliError('JOURNAL', 'a record line is {"type":"record","line":"audit v1 ..."}', { line });
    }
    try {
      return { type, record: parseRecordLine(rest['line']) };
    } catch (cause) {
      throw new CliError('JOURNAL', `bad record: ${cause instanceof Error ? cause.message : String(cause)}`, { line, cause });
    }
  }
  if (type === 'checkpoint') {
    try {
      return { type, checkpoint: checkpointFromJson(rest) };
    } catch (cause) {
      throw new CliError('JOURNAL', `bad checkpoint: ${cause instanceof Error ? cause.message : String(cause)}`, { line, cause });
    }
  }
  throw new CliError('JOURNAL', 'unknown line type (expected "record" or "checkpoint")', { line });
}
