import { LO_MAX_REPLY, type LogQueryEntry } from '@nexus/proto';
import type { JournalEntry } from './journal.js';

/**
 * One page of a QUERY: the entries to offer `encodeLogReply` and the cursor to resume at (0 when
 * there is nothing more).
 *
 * @example
 * const page: SelectedPage = { entries: [], nextCursor: 0n };
 */
export interface SelectedPage {
  readonly entries: readonly LogQueryEntry[];
  readonly nextCursor: bigint;
}

/**
 * A journal walk: visits the records with an id above `afterId`, oldest first, until `visit`
 * returns `false` (the memory ring's `scan`, or the disk journal's, which may read files).
 *
 * @example
 * const scan: JournalScan<string> = (after, visit) => journal.scan(after, visit);
 */
export type JournalScan<T> = (afterId: bigint, visit: (entry: JournalEntry<T>) => boolean) => void | Promise<void>;

/** Records one QUERY examines at most (matching or not), so a filter that matches nothing on a large disk journal still answers quickly. */
export const MAX_EXAMINED = 65_536;

/**
 * Walks the journal from record id `cursor` (0 = the oldest held), keeps at most `maxCount` records
 * that `match`, and stops as soon as the page is full: by count (the next match's id becomes the
 * cursor), by bytes (the first entry that would overflow `LO_MAX_REPLY` is offered last, so the
 * encoder drops it and resumes there), or after {@link MAX_EXAMINED} records (the next id to
 * examine becomes the cursor).
 *
 * @example
 * const page = await selectEntries(scan, 0n, 16, (e) => e.item.subjectId === who, (e) => e.item.bytes);
 */
export async function selectEntries<T>(
  scan: JournalScan<T>,
  cursor: bigint,
  maxCount: number,
  match: (entry: JournalEntry<T>) => boolean,
  encode: (entry: JournalEntry<T>) => Uint8Array,
): Promise<SelectedPage> {
  const entries: LogQueryEntry[] = [];
  let bytes = 0;
  let nextCursor = 0n;
  let examined = 0;
  await scan(cursor === 0n ? 0n : cursor - 1n, (entry) => {
    examined += 1;
    if (examined > MAX_EXAMINED) {
      nextCursor = entry.id;
      return false;
    }
    if (!match(entry)) return true;
    if (entries.length === maxCount) {
      nextCursor = entry.id;
      return false;
    }
    const encoded = encode(entry);
    entries.push({ cursor: entry.id, bytes: encoded });
    bytes += 2 + encoded.byteLength;
    return bytes <= LO_MAX_REPLY;
  });
  return { entries, nextCursor };
}
