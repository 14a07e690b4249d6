// `@nexus/sel/node`: the parts that read the file system (kept apart so the evaluator stays pure).
export { loadPolicyDir } from './load-policy-dir.js';
