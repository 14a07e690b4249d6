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
  LO_AUDIT_SCOPE,
  LO_JOURNAL,
  LO_LEVEL,
  LO_MAGIC,
  LO_MAX_BLOCK_FRAME,
  LO_MAX_BLOCK_RECORDS,
  LO_MAX_FIELDS,
  LO_MAX_FRAME,
  LO_MAX_MSG,
  LO_MAX_REPLY,
  LO_MAX_SCOPE,
  LO_OP,
  LO_STATUS,
  LO_ZERO_STATS,
  type LogAppend,
  type LogBlockReplyBody,
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
} from './lo/wire.js';
export { decodeLogReply, decodeLogRequest, encodeLogFailure, encodeLogReply, encodeLogRequest } from './lo/codec.js';
export {
  type LogAppendResult,
  type LogBlockResult,
  LogClient,
  type LogClientOptions,
  type LogOutcome,
  type LogQueryOptions,
  type LogQueryResult,
  type LogStatsResult,
} from './lo/client.js';
export { decodeLogRecord, encodeLogRecord, LO_MAX_RECORD, type LogRecord } from './lo/record.js';
export {
  BM_MAGIC,
  BM_MAX_MANIFEST,
  BM_MAX_NAME,
  BM_MAX_REPLY,
  BM_MAX_REQUEST,
  BM_MAX_VERSION,
  BM_OP,
  BM_REPLY_BIT,
  BM_SIGNATURE_BYTES,
  BM_VERSION,
  BUNDLE_VERSION_PATTERN,
  type BundleDecodeResult,
  type BundleInstallReply,
  type BundleListReply,
  type BundleOp,
  type BundleQueryReply,
  type BundleReply,
  type BundleRequest,
  BundleStatus,
  type BundleSummary,
  isBundleStatus,
} from './bm/wire.js';
export {
  decodeBundleReply,
  decodeBundleRequest,
  encodeBundleFailure,
  encodeBundleReply,
  encodeBundleRequest,
} from './bm/codec.js';
export {
  BundleClient,
  type BundleClientOptions,
  type BundleFailure,
  type BundleInstallResult,
  type BundleListResult,
  type BundleQueryResult,
} from './bm/client.js';
export {
  EX_MAGIC,
  EX_MAX_FRAME,
  EX_MAX_NAME,
  EX_OP,
  EX_REPLY_BIT,
  EX_REPLY_BYTES,
  EX_VERSION,
  type ExecDecodeResult,
  type ExecReply,
  type ExecRequest,
  ExecStatus,
} from './ex/wire.js';
export { decodeExecReply, decodeExecRequest, encodeExecReply, encodeExecRequest } from './ex/codec.js';
export { ExecClient, type ExecClientOptions, type ExecFailure, type ExecOutcome } from './ex/client.js';
export {
  type RouteDecodeResult,
  type RouteRequest,
  RouteStatus,
  RT_MAGIC,
  RT_MAX_FRAME,
  RT_MAX_NAME,
  RT_OP,
  RT_REPLY_BIT,
  RT_VERSION,
} from './rt/wire.js';
export { decodeRouteReply, decodeRouteRequest, encodeRouteReply, encodeRouteRequest } from './rt/codec.js';
export { RouteClient, type RouteClientOptions, type RouteOutcome } from './rt/client.js';
export { callTransport, type Transport, type TransportFailure, type TransportOutcome } from './call-transport.js';
export { taskTransport } from './task-transport.js';
export { PROTO_ERROR_CODES, ProtoError, type ProtoErrorCode } from './proto-error.js';
export { type CodedErrorClass, guardFrame } from './guard-frame.js';
export {
  type FrameHeader,
  type FrameHeaderProblem,
  type FrameHeaderSpec,
  readFrameHeader,
} from './read-frame-header.js';
export { isStrictEd25519Point, isStrictEd25519Signature } from './ed25519-strict.js';
