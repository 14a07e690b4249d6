export { claimsIdentity } from './claims-identity.js';
export { Journal, type JournalBounds, type JournalEntry, type JournalStats } from './journal.js';
export { LogdError, type LogdErrorCode } from './logd-error.js';
export {
  LOGD_LIMITS,
  type LogdOptions,
  type ResolvedLogdOptions,
  type ResolvedStorage,
  resolveLogdOptions,
} from './logd-options.js';
export {
  LOGD_READ_CAPS,
  LOGD_SCOPE,
  type LogdEndpointKind,
  type LogdRecovery,
  LogdServer,
  type LogdStats,
  type LogdStorage,
  type LogdStorageStats,
} from './logd-server.js';
export { type JournalScan, MAX_EXAMINED, type SelectedPage, selectEntries } from './select-entries.js';
export { type LogdHandle, startLogd } from './start-logd.js';
export { type AuditBoot, AuditBoots, type AuditMarkInput } from './audit-boots.js';
export {
  DiskJournal,
  type DiskJournalOptions,
  type DurableAppend,
  type DurableBlock,
  type FullAction,
  type RecordCodec,
  type SegmentSkip,
} from './disk-journal.js';
export {
  auditCodec,
  type AuditItem,
  auditItemOf,
  encodeGeneral,
  GENERAL_CODEC,
  type GeneralItem,
} from './journal-items.js';
export { openStorage, recoveryLine } from './open-storage.js';
export { RecordCache } from './record-cache.js';
export {
  ensureDir,
  type JournalRecovery,
  type RecoveredJournal,
  type RecoveredRecord,
  recoverJournal,
  type RecoveryIssue,
  segmentFileName,
} from './recover-journal.js';
export {
  decodeSegmentHeader,
  encodeFrame,
  encodeSegmentHeader,
  type FrameStep,
  type HeaderRead,
  readFrame,
  SEGMENT_FORMAT,
  type SegmentHeader,
  type SegmentJournal,
} from './segment-format.js';
export { newSegmentInfo, noteRecord, type SegmentInfo, SPARSE_EVERY, startOffset } from './segment-index.js';
export { createSegmentSync, type PlacedFrame, SegmentWriter } from './segment-writer.js';
export { readAuditStateDir, type StateDirBoot } from './read-audit-state-dir.js';
