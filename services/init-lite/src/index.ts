// The public API of @nexus/init-lite, listed by name: the server and its registry. The RT codec and client live in @nexus/proto.
export { InitLiteError, type InitLiteErrorCode } from './init-lite-error.js';
export { MAX_REGISTERED_SERVICES, ServiceRegistry } from './service-registry.js';
export { type InitLiteHandle, type InitLiteOptions, startInitLite } from './start-init-lite.js';
