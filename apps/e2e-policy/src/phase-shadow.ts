import { AuditReader } from './audit-reader.js';
import { bootSystem } from './boot-system.js';
import { checkAudited } from './check-audited.js';
import { marker, type MarkerOutcome, type PhaseContext } from './phase-context.js';
import { SelftestClient } from './selftest-client.js';
import { compilePolicy, serviceIdFromName, type Policy, type Rule } from '@nexus/sel';
import { shadowReport } from '@nexus/policy-cli';
import { PO_OP } from '@nexus/proto';

/** The grant the candidate drops: the client reads the audit trail back with it (logd asks policyd). */
const DROPPED_GRANT = 'audit.read';
/** A grant both policies keep: its record must carry no shadow decision. */
const KEPT_GRANT = 'log.read';

function table(rows: readonly (readonly [string, string])[]): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of rows) (grouped.get(key) ?? grouped.set(key, []).get(key))?.push(value);
  return [...grouped].map(([key, values]) => `${JSON.stringify(key)} = ${JSON.stringify(values)}`).join('\n');
}

/**
 * The active policy written out again without one rule, compiled: rules, restrictions, vocabulary
 * and modes come from the compiled policy itself, so the candidate differs in exactly that grant.
 */
function without(policy: Policy, dropped: Rule): Policy {
  const rules = policy.rules.filter((r) => r.id !== dropped.id);
  const text = [
    '[allow]', table(rules.filter((r) => r.effect === 'allow').map((r) => [r.service, r.pattern])),
    '[deny]', table(rules.filter((r) => r.effect === 'deny').map((r) => [r.service, r.pattern])),
    '[restrict]', table(policy.restricted.flatMap((r) => r.targets.map((t) => [r.capability, t] as const))),
    '[capabilities]', policy.capabilities.map((c) => `${JSON.stringify(c.capability)} = ${JSON.stringify(c.description)}`).join('\n'),
    '[mode]', policy.modes.map((m) => `${JSON.stringify(m.service)} = ${JSON.stringify(m.mode)}`).join('\n'),
  ].join('\n');
  return compilePolicy([{ path: 'shadow-candidate.toml', text }]);
}

/**
 * A second system on the same active policy, with policyd deciding in shadow under a candidate
 * that drops the client's `audit.read` grant: the client's answer is unchanged (ALLOW, and it still
 * reads the audit trail back, which logd authorizes through policyd), the record of its question
 * carries the divergence (deny, no-rule, the candidate's version), a question both policies answer
 * alike carries none, and `shadowReport` over the records read back lists the divergence.
 */
async function checkShadow(ctx: PhaseContext): Promise<string | undefined> {
  const active = ctx.system.policyd.policy;
  const self = serviceIdFromName('selftest-client');
  const grant = active.decide({ subject: self, action: DROPPED_GRANT });
  if (!grant.allow || grant.rule === undefined) return `the active policy does not grant the client ${DROPPED_GRANT}`;
  const candidate = without(active, grant.rule);
  if (candidate.decide({ subject: self, action: DROPPED_GRANT }).allow) return 'the candidate still grants the dropped capability';

  const mainProbe = await ctx.client.policy();
  if (mainProbe === undefined) return 'no route to policyd';
  const mainAnswer = await mainProbe.send((nonce) => ({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce, subjectId: self, cap: DROPPED_GRANT }));

  const system = await bootSystem({ policyDir: ctx.system.policyDir, console: () => undefined, shadow: candidate });
  try {
    if (system.policyd.version !== active.version || system.policyd.shadowVersion !== candidate.version) return 'the shadowed policyd runs other policies';
    const shadowCtx: PhaseContext = { system, client: new SelftestClient(system.client, system.clientRouter), reader: new AuditReader(), installed: undefined, verified: undefined };
    const probe = await shadowCtx.client.policy();
    if (probe === undefined) return 'no route to the shadowed policyd';
    const ask = (cap: string): ReturnType<typeof probe.send> => probe.send((nonce) => ({ version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce, subjectId: self, cap }));
    const want = { subject: self, sender: self, claimed: self, op: 'check_cap_delegated', decision: 'allow', reason: 'policy-allow', policyVersion: active.version } as const;
    const dropped = await ask(DROPPED_GRANT);
    if (dropped.status !== mainAnswer.status || dropped.status !== 'allow') return `the shadowed policyd answered ${dropped.status}, without shadow ${mainAnswer.status}`;
    const droppedAudited = await checkAudited(shadowCtx, { ...want, nonce: dropped.nonce, action: DROPPED_GRANT });
    if (droppedAudited !== undefined) return droppedAudited;
    const kept = await ask(KEPT_GRANT);
    if (kept.status !== 'allow') return `the shadowed policyd answered ${kept.status} to a kept grant`;
    const keptAudited = await checkAudited(shadowCtx, { ...want, nonce: kept.nonce, action: KEPT_GRANT });
    if (keptAudited !== undefined) return keptAudited;
    const records = shadowCtx.reader.records();
    const byNonce = (nonce: number): (typeof records)[number] | undefined => records.find((r) => r.kind === 'decision' && r.senderId === self && r.nonce === BigInt(nonce));
    const divergent = byNonce(dropped.nonce)?.shadow;
    if (divergent?.decision !== 'deny' || divergent.reason !== 'no-rule' || divergent.policyVersion !== candidate.version) return 'the record of the dropped grant carries no divergence';
    if (byNonce(kept.nonce)?.shadow !== undefined) return 'the record of a kept grant carries a divergence';
    const report = shadowReport(records.map((record) => ({ record })));
    const group = report.groups.find((g) => g.subjectId === self && g.action === DROPPED_GRANT && g.direction === 'allow->deny');
    if (group === undefined || report.candidates.join() !== candidate.version) return 'audit shadow does not list the divergence';
    return undefined;
  } finally {
    await system.policyd.close();
  }
}

/**
 * Phase `shadow`: shadow evaluation never changes an answer and records the divergence (see
 * {@link checkShadow}); the phase boots its own second system, so the main run's policy and
 * journal are untouched.
 *
 * @example
 * await phaseShadow(ctx); // [{ name: 'policy shadow' }]
 */
export async function phaseShadow(ctx: PhaseContext): Promise<readonly MarkerOutcome[]> {
  return [marker('policy shadow', await checkShadow(ctx))];
}
