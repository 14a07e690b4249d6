import { join } from 'node:path';
import { AuditBoots } from './audit-boots.js';
import { DiskJournal } from './disk-journal.js';
import { auditCodec, GENERAL_CODEC, type AuditItem, type GeneralItem } from './journal-items.js';
import type { ResolvedLogdOptions, ResolvedStorage } from './logd-options.js';
import type { LogdStorage } from './logd-server.js';
import { ensureDir, type JournalRecovery } from './recover-journal.js';

/**
 * Opens (recovering) both durable journals under `storage.stateDir`: `audit/` and `general/`,
 * each with its own quota, so general-journal pressure can never delete an audit segment. The
 * audit journal follows `fullAction`; the general one deletes its oldest segments. Throws
 * `LogdError` (STATE_DIR, FOREIGN_SEGMENT, FUTURE_SEGMENT, CORRUPT_SEGMENT) with the path.
 *
 * @example
 * const storage = openStorage(resolved.storage!, resolved);
 */
export function openStorage(storage: ResolvedStorage, options: Pick<ResolvedLogdOptions, 'audit' | 'general'>): LogdStorage {
  ensureDir(storage.stateDir);
  const boots = new AuditBoots();
  const audit = DiskJournal.open<AuditItem>({
    dir: join(storage.stateDir, 'audit'),
    journal: 'audit',
    segmentBytes: storage.segmentBytes,
    quotaBytes: storage.auditQuotaBytes,
    fullAction: storage.fullAction,
    cacheRecords: options.audit.maxRecords,
    codec: auditCodec(boots),
    deletable: (segment) => boots.covers(segment),
  });
  const general = DiskJournal.open<GeneralItem>({
    dir: join(storage.stateDir, 'general'),
    journal: 'general',
    segmentBytes: storage.segmentBytes,
    quotaBytes: storage.generalQuotaBytes,
    fullAction: 'drop-oldest',
    cacheRecords: options.general.maxRecords,
    codec: GENERAL_CODEC,
  });
  return Object.freeze({
    audit: audit.journal,
    general: general.journal,
    recovery: Object.freeze({ audit: audit.report, general: general.report }),
    boots: () => boots.list(),
  });
}

function describeJournal(r: JournalRecovery): string {
  const torn = r.tornTail === undefined ? 'no torn tail' : `torn tail ${r.tornTail.bytes} bytes cut at ${r.journal}/${r.tornTail.segment}@${r.tornTail.offset}`;
  const corrupt =
    r.corruptions.length === 0
      ? '0 corrupt'
      : `${r.corruptions.length} corrupt (${r.corruptions.slice(0, 3).map((c) => `${c.kind} at ${r.journal}/${c.segment}@${c.offset}`).join(', ')}${r.corruptions.length > 3 ? ', …' : ''})`;
  return `${r.journal} ${r.records} records in ${r.segments} segments, ${torn}, ${corrupt}`;
}

/**
 * logd's first console line with a state dir: what recovery found (counts, segment names and
 * offsets only; never record content).
 *
 * @example
 * recoveryLine(storage, 2); // 'logd: recovered audit 120 records in 1 segments, no torn tail, 0 corrupt (2 boots); general …'
 */
export function recoveryLine(storage: LogdStorage): string {
  const { boots, forgotten } = storage.boots();
  return `logd: recovered ${describeJournal(storage.recovery.audit)} (${boots.length + forgotten} boots); ${describeJournal(storage.recovery.general)}`;
}
