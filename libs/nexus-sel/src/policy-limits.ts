/**
 * The bounds `@nexus/sel` enforces on policies and queries.
 *
 * @example
 * const limits: PolicyLimits = POLICY_LIMITS; // limits.maxFileBytes === 65536
 */
export interface PolicyLimits {
  /** Largest policy file, in UTF-8 bytes (`FILE_TOO_LARGE` beyond). */
  readonly maxFileBytes: number;
  /** Most policy files in one compilation (`TOO_MANY_RULES` beyond). */
  readonly maxFiles: number;
  /** Most rules plus restricted targets over all files (`TOO_MANY_RULES` beyond). */
  readonly maxRules: number;
  /** Longest service name or capability, in bytes. */
  readonly maxNameBytes: number;
  /** Longest target, in bytes. */
  readonly maxTargetBytes: number;
  /** Longest raw query string looked at; anything longer is `malformed` before any normalization. */
  readonly maxRawQueryChars: number;
  /** Most rules `Policy.explain` lists as considered. */
  readonly maxExplainRules: number;
  /** Most grants and most holders a near-miss report (`Explanation.nearMisses`) lists. */
  readonly maxNearMisses: number;
}

/**
 * The bounds of the policy language (RFC-0015 §4.1) and of queries.
 *
 * @example
 * if (text.length > POLICY_LIMITS.maxFileBytes) reject();
 */
export const POLICY_LIMITS: PolicyLimits = Object.freeze({
  maxFileBytes: 64 * 1024,
  maxFiles: 16_384,
  maxRules: 65_536,
  maxNameBytes: 48,
  maxTargetBytes: 64,
  maxRawQueryChars: 256,
  maxExplainRules: 64,
  maxNearMisses: 8,
});
