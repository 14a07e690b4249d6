// The public API of @nexus/proto, listed by name: per protocol its wire constants, codec and client, then the shared pieces.
export {
  PO_MAGIC,
  PO_MAX_FRAME,
  PO_MAX_NAME,
  PO_MAX_VERSION_LABEL,
  PO_OP,
  PO_REPLY_BIT,
  PO_STATUS,
  type PolicyCheckCapDelegatedRequest,
  type PolicyCheckCapRequest,
  type PolicyCheckRequest,
  type PolicyDecodeResult,
  type PolicyExecByIdRequest,
  type PolicyExecRequest,
  type PolicyOp,
  type PolicyReply,
  type PolicyReplyHeader,
  type PolicyRequest,
  type PolicyRouteByIdRequest,
  type PolicyRouteRequest,
  type PolicyStatus,
  type PolicyVersion,
  type PolicyVersionRequest,
} from './po/wire.js';
export { decodePolicyReply, decodePolicyRequest, encodePolicyReply, encodePolicyRequest } from './po/codec.js';
export { PolicyClient, type PolicyClientOptions, type PolicyVerdict, type PolicyVersionVerdict } from './po/client.js';
export {
  isKeystoreStatus,
  type KeystoreDecodeResult,
  type KeystoreOp,
  type KeystoreReply,
  type KeystoreRequest,
  type KeystoreStatus,
  KS_KEY_CLASS,
  KS_KEY_ID_BYTES,
  KS_MAGIC,
  KS_MAX_FRAME,
  KS_MAX_KEY,
  KS_MAX_PAYLOAD,
  KS_MAX_REPLY_VALUE,
  KS_MAX_VALUE,
  KS_OP,
  KS_PUBKEY_BYTES,
  KS_SEAL_DOMAIN,
  KS_SEAL_MESSAGE_BYTES,
  KS_SIGNATURE_BYTES,
  KS_STATUS,
  KS_VERSION,
} from './ks/wire.js';
export { decodeKeystoreReply, decodeKeystoreRequest, encodeKeystoreReply, encodeKeystoreRequest } from './ks/codec.js';
export { decodeKeystorePubkey, encodeKeystorePubkey, type KeystorePubkey, KS_MAX_KEY_LABEL } from './ks/pubkey.js';
export {
  decodeKeystoreAuditPubkey,
  ED25519_SPKI_PREFIX,
  ed25519SpkiDer,
  encodeKeystoreAuditPubkey,
  type KeystoreAuditPubkey,
} from './ks/audit-pubkey.js';
export {
  KeystoreClient,
  type KeystoreClientOptions,
  type KeystoreOutcome,
  type KeystoreResult,
  type KeystoreValueResult,
} from './ks/client.js';
export {
  isZeroLogStats,
  LO_ANY,
  LO_JOURNAL,
  LO_LEVEL,
  LO_MAGIC,
  LO_MAX_FIELDS,
  LO_MAX_FRAME,
  LO_MAX_MSG,
  LO_MAX_REPLY,
  LO_MAX_SCOPE,
  LO_OP,
  LO_STATUS,
  LO_ZERO_STATS,
  type LogAppend,
  type LogDecodeResult,
  type LogJournalStats,
  type LogLevel,
  type LogOp,
  type LogQueryEntry,
  type LogQueryFilter,
  type LogReply,
  type LogReplyHeader,
  type LogReplyInput,
  type LogRequest,
  type LogStats,
  type LogStatus,
  type LogVersion,
} from './lo-wire.js';
export { decodeLogRequest } from './decode-log-request.js';
export { decodeLogReply } from './decode-log-reply.js';
export { encodeLogRequest } from './encode-log-request.js';
export { encodeLogFailure, encodeLogReply } from './encode-log-reply.js';
export {
  type LogAppendResult,
  LogClient,
  type LogClientOptions,
  type LogOutcome,
  type LogQueryOptions,
  type LogQueryResult,
  type LogStatsResult,
} from './log-client.js';
export { decodeLogRecord, encodeLogRecord, LO_MAX_RECORD, type LogRecord } from './log-record.js';
export type { Transport, TransportFailure, TransportOutcome } from './call-transport.js';
export { taskTransport } from './task-transport.js';
export { ProtoError, type ProtoErrorCode } from './proto-error.js';
export { type CodedErrorClass, guardFrame } from './guard-frame.js';
export {
  type FrameHeader,
  type FrameHeaderProblem,
  type FrameHeaderSpec,
  readFrameHeader,
} from './read-frame-header.js';
export { isStrictEd25519Point, isStrictEd25519Signature } from './ed25519-strict.js';
