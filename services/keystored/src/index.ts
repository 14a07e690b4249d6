export * from './audit-key.js';
export * from './bringup-key.js';
export * from './keystore-namespaces.js';
export * from './keystored-error.js';
export * from './start-keystored.js';
export * from './verify-ed25519.js';
