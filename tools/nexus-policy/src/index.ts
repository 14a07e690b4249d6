// The programmatic API of @nexus/policy-cli, listed by name: everything else is the tool's own
// (commands, formatting, argument parsing) and may change without a major version.
export { formatVerdict } from './format-verdict.js';
export { CLI_ERROR_CODES, CliError, type CliErrorCode } from './cli-error.js';
export type { CliIo, Command } from './cli-io.js';
export { measureCoverage, meetsMinCoverage, parsePercent, type Coverage, type Percent, type RuleCoverage } from './coverage.js';
export { FIXTURE_LIMITS, parseFixtures, type FixtureCase } from './fixture-file.js';
export {
  isObservedDefaultDeny, learnFromJournal,
  type LearnedGrant, type LearnPair, type LearnPolicies, type LearnRefusal, type LearnRefusalKind, type LearnReport, type Observed,
} from './learn-journal.js';
export { formatLearnPatch, type LearnPatchSource } from './learn-patch.js';
export { lintPolicy } from './lint-policy.js';
export type { LintKind, LintWarning } from './lint-warning.js';
export { main } from './main.js';
export { nodeIo } from './node-io.js';
export { diffPolicies, type ChangeKind, type DecisionChange, type PolicyDiff } from './policy-diff.js';
export { printable } from './printable.js';
export { shadowReport, type ShadowDirection, type ShadowGroup, type ShadowReport } from './shadow-report.js';
