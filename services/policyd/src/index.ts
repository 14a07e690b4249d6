export { KernelAuditTransport, type KernelAuditTransportOptions } from './kernel-audit-transport.js';
export { keystoreSigner } from './keystore-signer.js';
export {
  OP_QUERY_TABLE,
  type OpActionSource,
  type OpQuerySpec,
  type OpTargetSource,
  type PolicydOpName,
} from './op-query-table.js';
export {
  type AuditRecorder,
  DELEGATE_CAPABILITY,
  PolicyFrameHandler,
  type PolicyFrameHandlerOptions,
} from './policy-frame-handler.js';
export { PolicydError, type PolicydErrorCode } from './policyd-error.js';
export { requestQuery, type RequestQuery } from './request-query.js';
export { POLICYD_KEPT_CHECKPOINTS, type PolicydHandle, type PolicydOptions, startPolicyd } from './start-policyd.js';
export { EVICTION_TRACKER_LIMIT, EvictionTracker } from './eviction-tracker.js';
