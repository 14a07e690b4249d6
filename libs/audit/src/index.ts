export { AuditError, type AuditErrorCode } from './audit-error.js';
export {
  AUDIT_LIMITS,
  type AuditCheckpoint,
  type AuditControl,
  type AuditInput,
  type AuditKind,
  type AuditLost,
  type AuditOp,
  type AuditReason,
  type AuditRecord,
  type AuditShadow,
  type AuditSinkName,
} from './audit-record.js';
export { type UnsealedRecord, validateInput, validateRecord } from './validate-record.js';
export {
  CHECKPOINT_DOMAIN,
  CHECKPOINT_LIMITS,
  type CheckpointClaim,
  decodeCheckpointMessage,
  encodeCheckpointMessage,
} from './checkpoint-message.js';
export { checkpointMessageOf, encodeRecord, EXT, FLAG, OP_EXTENDED, writeBody } from './encode-record.js';
export { checkpointPayload, decodeRecord } from './decode-record.js';
export { HASH_BYTES, hashRecord, sha256 } from './hash-record.js';
export { formatRecordLine, formatRecordSummary } from './format-record-line.js';
export { parseRecordLine } from './parse-record-line.js';
export { type Checkpoint, checkpointFromJson, type CheckpointJson, checkpointToJson } from './checkpoint.js';
export { AUDIT_CHAIN_BLOCK, AuditChain, type AuditChainOptions, type SealedRecord } from './audit-chain.js';
export { type ChainBreakKind, verifyChain, type VerifyChainOptions, type VerifyResult } from './verify-chain.js';
export { sameBytes } from './same-bytes.js';
export {
  type AuditOutcome,
  AuditSink,
  type AuditSinkObserver,
  type AuditSinkOptions,
  type AuditSinkStats,
  type AuditTransport,
  type CheckpointOutcome,
  type EvictionReport,
  type UartPort,
  type UartReservation,
} from './audit-sink.js';
export {
  type CancelTimer,
  CheckpointSealer,
  type CheckpointSealerOptions,
  type CheckpointSigner,
  type SealerStats,
} from './checkpoint-sealer.js';
export { auditKeyId, loadAuditPublicKey, verifyCheckpointSignature } from './seal-key.js';
export {
  JOURNAL_LIMITS,
  type JournalEntry,
  type ParsedJournal,
  parseJournal,
  readJournal,
  writeJournal,
} from './journal-file.js';
export {
  type JournalBreakKind,
  type JournalVerdict,
  type UnverifiedReason,
  verifyJournal,
  type VerifyJournalOptions,
  verifyJournalText,
} from './verify-journal.js';
