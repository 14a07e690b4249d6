import type { DecisionChange } from './policy-diff.js';

/**
 * The readable form of a diff: one line per (service, change, action) with its targets collapsed.
 * An untargeted change stands for every target that changed the same way, and names the named
 * targets that did not (`except @{a,b}`); targeted-only changes list their targets as `@{a,b}`.
 * Reason changes are their own `~ reason` lines. Lines keep the changes' order (service, action).
 *
 * @example
 * diffLines(diff.changes, diff.targets);
 * // ['+ allow vfsd net.*', '- allow vfsd ipc.route@{execd,logd}', '~ reason b x.y: no-rule → deny-rule']
 */
export function diffLines(changes: readonly DecisionChange[], targets: readonly string[]): string[] {
  const groups = new Map<string, { first: DecisionChange; targets: (string | undefined)[] }>();
  for (const change of changes) {
    const key = [change.service, change.action, change.kind, change.oldReason, change.newReason].join('\u0000');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { first: change, targets: [change.target] });
    else group.targets.push(change.target);
  }
  const lines: string[] = [];
  for (const { first, targets: changed } of groups.values()) {
    const query = `${first.service} ${first.action}${targetSuffix(changed, targets)}`;
    if (first.kind === 'allow-added') lines.push(`+ allow ${query}`);
    else if (first.kind === 'allow-removed') lines.push(`- allow ${query}`);
    else lines.push(`~ reason ${query}: ${first.oldReason} → ${first.newReason}`);
  }
  return lines;
}

function targetSuffix(changed: readonly (string | undefined)[], all: readonly string[]): string {
  const named = changed.filter((t): t is string => t !== undefined);
  if (named.length < changed.length) {
    const except = all.filter((t) => !named.includes(t));
    return except.length === 0 ? '' : ` except @${braced(except)}`;
  }
  return `@${braced(named)}`;
}

function braced(targets: readonly string[]): string {
  return targets.length === 1 ? (targets[0] ?? '') : `{${targets.join(',')}}`;
}
