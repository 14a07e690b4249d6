export * from './kernel-audit-transport.js';
export * from './keystore-signer.js';
export * from './op-query-table.js';
export * from './policy-frame-handler.js';
export * from './policyd-error.js';
export * from './request-query.js';
export * from './start-policyd.js';
export * from './eviction-tracker.js';
