export * from './load-policy-dir.js';
