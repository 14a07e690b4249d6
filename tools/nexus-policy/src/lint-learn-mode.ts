import type { Policy, Rule } from '@nexus/sel';
import type { LintWarning } from './lint-warning.js';

/**
 * One `learn-mode` warning per service a `[mode]` table puts in learn mode, located at its entry:
 * policyd answers that service's default denies ALLOW (recorded as would-denies), so it runs
 * without least privilege until the entry goes (after `nexus-policy learn` turned its journal into
 * reviewed grants). The trusted base cannot be in learn mode (a compile error), so this is the
 * whole list. A warning is located at a rule; the entry is written as a pseudo-rule (id -1, no
 * pattern), which only its location is read from.
 *
 * @example
 * lintLearnMode(compilePolicy([{ path: 'm.toml', text: '[mode]\n"demo.testsvc" = "learn"\n' }]));
 * // [{ kind: 'learn-mode', rule: <m.toml:2:1>, related: undefined, message: 'demo.testsvc is in learn mode: …' }]
 */
export function lintLearnMode(policy: Policy): readonly LintWarning[] {
  return policy.modes
    .filter((entry) => entry.mode === 'learn')
    .map((entry) => {
      const at: Rule = { id: -1, file: entry.file, line: entry.line, column: entry.column, effect: 'allow', service: entry.service, pattern: '', capability: '', target: undefined };
      return {
        kind: 'learn-mode' as const,
        rule: at,
        related: undefined,
        message: `${entry.service} is in learn mode: policyd answers its default denies ALLOW and records them as would-denies; turn the journal into grants with nexus-policy learn, then remove this entry`,
      };
    });
}
