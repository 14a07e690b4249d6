import { serviceIdFromName, type Policy, type Rule } from '@nexus/sel';
import { capabilitiesOverlap, representativeAction, wildcardPrefix } from '@nexus/sel/analysis';

/**
 * What one service may do with one capability, as the matrix shows it: `allow` (untargeted
 * queries are allowed), `deny` (a deny rule refuses them), `restricted` (allowed only for the
 * targets a grant names), `none` (no rule: denied by default).
 *
 * @example
 * const state: MatrixState = matrix.rows[0]!.cells[0]!.state; // 'allow'
 */
export type MatrixState = 'allow' | 'deny' | 'restricted' | 'none';

/** One cell: the state, the rule that decided the untargeted query, and every rule weighed. */
export interface MatrixCell {
  readonly capability: string;
  readonly state: MatrixState;
  readonly deciding: Rule | undefined;
  /** Rules of this service (and `*` denies) whose capability overlaps this one, in policy order. */
  readonly rules: readonly Rule[];
  /** Targets with a decision different from the untargeted one, e.g. `execd: allow`. */
  readonly targets: readonly { readonly target: string; readonly allow: boolean; readonly rule: Rule | undefined }[];
}

/** One capability family (`ipc` for `ipc.core`, `ipc.route`), collapsed in the report by default. */
export interface MatrixFamily {
  readonly name: string;
  readonly capabilities: readonly string[];
}

/** The policy as services × capabilities. */
export interface PolicyMatrix {
  readonly families: readonly MatrixFamily[];
  readonly rows: readonly { readonly service: string; readonly cells: readonly MatrixCell[] }[];
}

/**
 * Builds the services × capabilities matrix of a policy by asking the policy itself (`decide`),
 * never by matching patterns here: every service with a rule (not `*`) × every capability a rule,
 * restriction or `[capabilities]` entry names (a wildcard stands for the rest of its family, asked
 * with `representativeAction`). Cells are in family order, so a family's cells are adjacent.
 *
 * @example
 * buildPolicyMatrix(policy).rows[0]?.cells.find((c) => c.capability === 'crypto.sign')?.state; // 'allow'
 */
export function buildPolicyMatrix(policy: Policy): PolicyMatrix {
  const named = new Set<string>();
  for (const rule of policy.rules) named.add(rule.capability);
  for (const r of policy.restricted) named.add(r.capability);
  for (const c of policy.capabilities) named.add(c.capability);
  const exact = new Set([...named].filter((cap) => wildcardPrefix(cap) === undefined));
  const byFamily = new Map<string, string[]>();
  for (const cap of [...named].sort()) {
    const family = cap.split('.')[0] ?? cap;
    byFamily.set(family, [...(byFamily.get(family) ?? []), cap]);
  }
  const families = [...byFamily].map(([name, capabilities]) => ({ name, capabilities }));
  const columns = families.flatMap((f) => f.capabilities);
  const targets = [...new Set(policy.rules.flatMap((r) => (r.target === undefined ? [] : [r.target])))].sort();
  const rows = policy.services
    .filter((service) => service !== '*')
    .map((service) => {
      const subject = serviceIdFromName(service);
      const cells = columns.map((capability) => cellOf(policy, service, subject, capability, exact, targets));
      return { service, cells };
    });
  return { families, rows };
}

function cellOf(
  policy: Policy,
  service: string,
  subject: bigint,
  capability: string,
  exact: ReadonlySet<string>,
  targets: readonly string[],
): MatrixCell {
  const rules = policy.rules.filter(
    (rule) => (rule.service === service || (rule.service === '*' && rule.effect === 'deny')) && capabilitiesOverlap(rule.capability, capability),
  );
  const action = representativeAction(capability, exact);
  if (action === undefined) return { capability, state: 'none', deciding: undefined, rules, targets: [] };
  const untargeted = policy.decide({ subject, action });
  const differing = targets
    .map((target) => ({ target, decision: policy.decide({ subject, action, target }) }))
    .filter(({ decision }) => decision.allow !== untargeted.allow)
    .map(({ target, decision }) => ({ target, allow: decision.allow, rule: decision.rule }));
  let state: MatrixState;
  if (untargeted.allow) state = 'allow';
  else if (untargeted.reason === 'deny-rule') state = 'deny';
  else if (differing.some((t) => t.allow)) state = 'restricted';
  else state = 'none';
  return { capability, state, deciding: untargeted.rule, rules, targets: differing };
}
