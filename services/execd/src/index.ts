export * from './decode-exec-reply.js';
export * from './decode-exec-request.js';
export * from './encode-exec-reply.js';
export * from './encode-exec-request.js';
export * from './ex-wire.js';
export * from './exec-client.js';
export * from './execd-error.js';
export * from './start-execd.js';
