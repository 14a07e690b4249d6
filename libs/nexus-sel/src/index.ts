// The public API of @nexus/sel, listed by name. Analysis beyond one decision (overlap, action
// classes, near misses) is `@nexus/sel/analysis`; reading a policy folder from disk is `@nexus/sel/node`.
export { serviceIdFromName } from '@nexus/ipc';
export { compilePolicy } from './compile-policy.js';
export { didYouMean } from './did-you-mean.js';
export { normalizeName } from './normalize-name.js';
export type {
  CapabilityDeclaration,
  Decision,
  DecisionReason,
  Explanation,
  Holder,
  ModeEntry,
  NearMisses,
  Policy,
  PolicyFile,
  Query,
  RestrictedHint,
  Restriction,
  Rule,
  RuleEffect,
  ServiceMode,
} from './policy.js';
export { PolicyError, type PolicyErrorCode, type PolicyErrorLocation } from './policy-error.js';
export { POLICY_LIMITS, type PolicyLimits } from './policy-limits.js';
export { POLICY_SCHEMA } from './policy-schema.js';
export { TRUSTED_BASE } from './trusted-base.js';
