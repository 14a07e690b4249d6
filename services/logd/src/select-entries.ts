import { LO_MAX_REPLY, type LogQueryEntry } from '@nexus/proto';
import type { Journal, JournalEntry } from './journal.js';

/**
 * One page of a QUERY: the entries to offer `encodeLogReply` and the cursor of the next match
 * (0 when there is none).
 *
 * @example
 * const page: SelectedPage = { entries: [], nextCursor: 0n };
 */
export interface SelectedPage {
  readonly entries: readonly LogQueryEntry[];
  readonly nextCursor: bigint;
}

/**
 * Walks `journal` from record id `cursor` (0 = the oldest held), keeps at most `maxCount` records
 * that `match`, and stops as soon as the page is full: by count (the next match's id becomes the
 * cursor) or by bytes (the first entry that would overflow `LO_MAX_REPLY` is offered last, so the
 * encoder drops it and resumes there). The work is bounded by the journal's record bound.
 *
 * @example
 * const page = selectEntries(journal, 0n, 16, (e) => e.item.subjectId === who, (e) => e.item.bytes);
 */
export function selectEntries<T>(
  journal: Journal<T>,
  cursor: bigint,
  maxCount: number,
  match: (entry: JournalEntry<T>) => boolean,
  encode: (entry: JournalEntry<T>) => Uint8Array,
): SelectedPage {
  const entries: LogQueryEntry[] = [];
  let bytes = 0;
  let nextCursor = 0n;
  journal.scan(cursor === 0n ? 0n : cursor - 1n, (entry) => {
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
