export * from './call-transport.js';
export * from './decode-policy-reply.js';
export * from './decode-policy-request.js';
export * from './encode-policy-reply.js';
export * from './encode-policy-request.js';
export * from './po-wire.js';
export * from './policy-client.js';
export * from './proto-error.js';
