export * from './claims-identity.js';
export * from './journal.js';
export * from './logd-error.js';
export * from './logd-options.js';
export * from './logd-server.js';
export * from './select-entries.js';
export * from './start-logd.js';
