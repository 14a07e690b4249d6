import { serviceIdFromName, type DecisionReason, type Policy, type Rule } from '@nexus/sel';
import { representativeAction } from './representative-action.js';

/** How one query's decision changed from the old policy to the new one. */
export type ChangeKind = 'allow-added' | 'allow-removed' | 'reason-changed';

/** One query whose decision or reason differs between two policies. */
export interface DecisionChange {
  readonly kind: ChangeKind;
  readonly service: string;
  readonly action: string;
  readonly target: string | undefined;
  readonly oldReason: DecisionReason;
  readonly newReason: DecisionReason;
  readonly oldRule: Rule | undefined;
  readonly newRule: Rule | undefined;
}

/** The result of `diffPolicies`: both versions, how many queries were compared, and the changes. */
export interface PolicyDiff {
  readonly oldVersion: string;
  readonly newVersion: string;
  readonly queries: number;
  readonly changes: readonly DecisionChange[];
}

/**
 * The exact set of decisions that change between two policies, over every service named in either
 * × every capability or pattern named in either (a wildcard stands as a capability under it that no
 * rule names) × no target and every target named in either. Both policies are asked the same
 * queries, so `diffPolicies(a, b)` and `diffPolicies(b, a)` are mirror images, and a policy diffed
 * with itself is empty. Changes come sorted by service, action, target.
 *
 * @example
 * diffPolicies(before, after).changes;
 * // [{ kind: 'allow-added', service: 'updated', action: 'crypto.sign', target: undefined, ... }]
 */
export function diffPolicies(oldPolicy: Policy, newPolicy: Policy): PolicyDiff {
  const both = [oldPolicy, newPolicy];
  const services = sortedUnique(both.flatMap((p) => p.services).filter((s) => s !== '*'));
  const capabilities = both.flatMap((p) => [...p.rules.map((r) => r.capability), ...p.restricted.map((r) => r.capability)]);
  const named = new Set(capabilities.filter((cap) => !cap.endsWith('.*')));
  const actions = sortedUnique(
    capabilities.map((cap) => representativeAction(cap, named)).filter((a): a is string => a !== undefined),
  );
  const targets: (string | undefined)[] = [
    undefined,
    ...sortedUnique(
      both.flatMap((p) => [
        ...p.rules.flatMap((r) => (r.target === undefined ? [] : [r.target])),
        ...p.restricted.flatMap((r) => r.targets),
      ]),
    ),
  ];

  const changes: DecisionChange[] = [];
  for (const service of services) {
    const subject = serviceIdFromName(service);
    for (const action of actions) {
      for (const target of targets) {
        const query = { subject, action, target };
        const before = oldPolicy.decide(query);
        const after = newPolicy.decide(query);
        if (before.allow === after.allow && before.reason === after.reason) continue;
        changes.push({
          kind: before.allow === after.allow ? 'reason-changed' : after.allow ? 'allow-added' : 'allow-removed',
          service,
          action,
          target,
          oldReason: before.reason,
          newReason: after.reason,
          oldRule: before.rule,
          newRule: after.rule,
        });
      }
    }
  }
  return {
    oldVersion: oldPolicy.version,
    newVersion: newPolicy.version,
    queries: services.length * actions.length * targets.length,
    changes,
  };
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
