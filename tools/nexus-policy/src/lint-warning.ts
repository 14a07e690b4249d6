import type { Rule } from '@nexus/sel';

/**
 * The kinds of lint warning `check` reports. None of them stops compilation.
 *
 * @example
 * const kind: LintKind = 'dead-deny';
 */
export type LintKind =
  | 'shadowed-grant'
  | 'duplicate-grant'
  | 'dead-deny'
  | 'unrestricted-name'
  | 'unrestricted-install'
  | 'near-name'
  | 'learn-mode';

/**
 * One lint finding, located at `rule`; `related` is the other rule involved, when there is one.
 *
 * @example
 * for (const w of lintPolicy(policy)) console.log(`${ruleLocation(w.rule)}: ${w.kind}: ${w.message}`);
 */
export interface LintWarning {
  readonly kind: LintKind;
  readonly rule: Rule;
  readonly related: Rule | undefined;
  readonly message: string;
}
