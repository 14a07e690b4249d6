import { createHash } from 'node:crypto';
import type { ModeEntry, Restriction, Rule } from './policy.js';

/**
 * The policy version: SHA-256 over the sorted, deduplicated `effect service pattern` and
 * `restrict capability target` lines, and a `mode service learn` line per learn-mode service
 * (`enforce` is the default and changes no answer, so a policy without learn mode keeps its
 * version). File names, positions, comments, layout, key order and the split into files do not
 * enter it.
 *
 * @example
 * policyVersion(policy.rules, policy.restricted); // 'sha256:…' (equal to policy.version)
 */
export function policyVersion(rules: readonly Rule[], restricted: readonly Restriction[], modes: readonly ModeEntry[] = []): string {
  const lines = new Set<string>();
  for (const rule of rules) lines.add(`${rule.effect} ${rule.service} ${rule.pattern}`);
  for (const restriction of restricted) {
    for (const target of restriction.targets) lines.add(`restrict ${restriction.capability} ${target}`);
  }
  for (const entry of modes) if (entry.mode === 'learn') lines.add(`mode ${entry.service} learn`);
  const canonical = ['nexus-sel/1', ...[...lines].sort()].join('\n');
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
