export { serviceIdFromName } from '@nexus/ipc';
export * from './compile-policy.js';
export * from './normalize-name.js';
export { didYouMean } from './did-you-mean.js';
export * from './policy.js';
export * from './policy-error.js';
export * from './policy-limits.js';
export * from './policy-schema.js';
