import { serviceIdFromName, type DecisionReason, type Policy, type Rule } from '@nexus/sel';
import { actionClasses } from '@nexus/sel/analysis';

/** How one query's decision changed from the old policy to the new one. */
export type ChangeKind = 'allow-added' | 'allow-removed' | 'reason-changed';

/** The subject that stands for every service neither policy names (only `*` rules reach it). */
export const OTHER_SERVICES = '*';

/** One query class whose decision or reason differs between two policies. */
export interface DecisionChange {
  readonly kind: ChangeKind;
  /** A service named by either policy, or `*` for every service neither names. */
  readonly service: string;
  /** The action class: an exact capability, or `P.*` for every action under `P.` no rule names more specifically. */
  readonly action: string;
  /** The action the policies were asked for the class. */
  readonly example: string;
  /** A target named by either policy, or `undefined` (which also stands for every unnamed target). */
  readonly target: string | undefined;
  readonly oldReason: DecisionReason;
  readonly newReason: DecisionReason;
  readonly oldRule: Rule | undefined;
  readonly newRule: Rule | undefined;
}

/** The result of `diffPolicies`: both versions, how many query classes were compared, the changes. */
export interface PolicyDiff {
  readonly oldVersion: string;
  readonly newVersion: string;
  readonly queries: number;
  /** Every target named by either policy, sorted (what an untargeted change also covers). */
  readonly targets: readonly string[];
  readonly changes: readonly DecisionChange[];
}

/**
 * The exact set of decisions that change between two policies. The query space is partitioned into
 * classes that every rule of both policies treats alike, and one member of each class is asked:
 * subjects are every service either names plus one for all others; actions are every exact
 * capability either names plus, per wildcard, its remainder (see `actionClasses`); targets are none
 * (which stands for every unnamed target too) plus every target either names. So no changed decision
 * can hide behind a sample name, `diffPolicies(a, b)` and `diffPolicies(b, a)` are mirror images, and
 * a policy diffed with itself is empty. Changes come sorted by service, action, target.
 *
 * @example
 * diffPolicies(before, after).changes;
 * // [{ kind: 'allow-added', service: 'updated', action: 'crypto.sign', target: undefined, ... }]
 */
export function diffPolicies(oldPolicy: Policy, newPolicy: Policy): PolicyDiff {
  const both = [oldPolicy, newPolicy];
  const named = sortedUnique(both.flatMap((p) => p.services).filter((s) => s !== '*'));
  const subjects: [string, bigint][] = [
    ...named.map((s): [string, bigint] => [s, serviceIdFromName(s)]),
    [OTHER_SERVICES, otherSubject(new Set(named))],
  ];
  const classes = actionClasses(
    both.flatMap((p) => [...p.rules.map((r) => r.capability), ...p.restricted.map((r) => r.capability)]),
  );
  const targets = sortedUnique(
    both.flatMap((p) => [
      ...p.rules.flatMap((r) => (r.target === undefined ? [] : [r.target])),
      ...p.restricted.flatMap((r) => r.targets),
    ]),
  );

  const changes: DecisionChange[] = [];
  for (const [service, subject] of subjects) {
    for (const { pattern, witness } of classes) {
      for (const target of [undefined, ...targets]) {
        const query = { subject, action: witness, target };
        const before = oldPolicy.decide(query);
        const after = newPolicy.decide(query);
        if (before.allow === after.allow && before.reason === after.reason) continue;
        changes.push({
          kind: before.allow === after.allow ? 'reason-changed' : after.allow ? 'allow-added' : 'allow-removed',
          service,
          action: pattern,
          example: witness,
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
    queries: subjects.length * classes.length * (targets.length + 1),
    targets,
    changes,
  };
}

/** A kernel id that no named service has (names cannot contain `#`, so no policy can name this one). */
function otherSubject(named: ReadonlySet<string>): bigint {
  const taken = new Set([...named].map((s) => serviceIdFromName(s)));
  for (let n = 0; ; n++) {
    const id = serviceIdFromName(`#other-service-${n}`);
    if (!taken.has(id)) return id;
  }
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
