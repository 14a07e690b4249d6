// `@nexus/sel/analysis`: questions about a policy beyond one decision, for tools (the CLI's lint,
// diff and explain use them). Every answer is computed with the evaluator's own `decide`/`explain`
// and the language's own grammar, so a tool cannot disagree with policyd.
export { actionClasses, inActionClass, representativeAction, type ActionClass } from './analysis/action-classes.js';
export { capabilitiesOverlap } from './analysis/capabilities-overlap.js';
export { findNearMisses } from './analysis/near-misses.js';
export { normalizeName } from './normalize-name.js';
export { capabilityMatches, isExactCapability, wildcardPrefix } from './wildcard.js';
