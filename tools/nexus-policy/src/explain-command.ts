import { hexU64, isServiceName, SERVICE_NAME_MAX_BYTES } from '@nexus/ipc';
import { didYouMean, POLICY_LIMITS, serviceIdFromName, type NearMisses, type Rule } from '@nexus/sel';
import { CliError } from './cli-error.js';
import { CommandArgs } from './command-args.js';
import { formatJson } from './format-json.js';
import { DEFAULT_POLICY_DIR, loadPolicy } from './load-policy.js';
import type { CliIo } from './cli-io.js';
import { printable } from './printable.js';
import { formatRule, ruleJson } from './rule-location.js';


/**
 * `nexus-policy explain --subject NAME --action CAP [--target T] [DIR]`: the decision of one query
 * (from `policy.decide`), its reason, the deciding rule with its location, the grants a deny rule
 * overrode, and for a default deny the nearest misses. Exit 0 allow, 1 deny.
 *
 * @example
 * await explainCommand(['--subject', 'keystored', '--action', 'crypto.sign'], io); // 0
 */
export async function explainCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse(
    'explain',
    argv,
    { subject: { type: 'string' }, action: { type: 'string' }, target: { type: 'string' } },
    { min: 0, max: 1 },
  );
  const subject = args.required('explain', 'subject');
  const [action, target] = splitAction(args.required('explain', 'action'), args.string('target'));
  // Taken before the check: a refused name narrows to `never`, yet the message quotes it.
  const shown = subject.slice(0, 64);
  if (!isServiceName(subject)) {
    throw new CliError(
      'USAGE',
      `explain: --subject "${shown}" is not a service name the kernel can run (1..${SERVICE_NAME_MAX_BYTES} bytes of [a-z0-9._-])`,
    );
  }
  const policy = await loadPolicy(args.positionals[0] ?? DEFAULT_POLICY_DIR, io);
  const id = serviceIdFromName(subject);
  const query = { subject: id, action, target };
  const decision = policy.decide(query);
  const explanation = policy.explain(query);
  const overridden =
    decision.reason === 'deny-rule'
      ? explanation.considered.filter(
          (rule) => rule.effect === 'allow' && rule.service === subject && applies(rule, explanation.target, explanation.restricted),
        )
      : [];
  const misses = explanation.nearMisses;
  const known = policy.services.includes(subject);
  const suggestion = known ? undefined : didYouMean(subject, policy.services.filter((s) => s !== '*'));

  if (args.json) {
    io.stdout(
      formatJson({
        decision: decision.allow ? 'allow' : 'deny',
        reason: decision.reason,
        subject: { name: subject, id: hexU64(id), inPolicy: known, didYouMean: suggestion ?? null },
        action: explanation.action ?? action,
        target: explanation.target ?? target ?? null,
        version: policy.version,
        rule: ruleJson(decision.rule),
        overridden: overridden.map(ruleJson),
        nearMisses:
          misses === undefined
            ? null
            : {
                grants: misses.grants.map(ruleJson),
                holders: misses.holders.map((h) => ({ service: h.service, rule: ruleJson(h.rule) })),
                holdersTruncated: misses.holdersTruncated,
                restricted:
                  misses.restricted === undefined
                    ? null
                    : { grant: ruleJson(misses.restricted.grant), needed: misses.restricted.needed },
              },
      }),
    );
    return decision.allow ? 0 : 1;
  }

  let out = `${decision.allow ? 'allow' : 'deny'} (${decision.reason})\n`;
  out += `subject:  ${subject} (${hexU64(id)})\n`;
  if (!known) {
    out += `note:     "${subject}" is not a service in this policy${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}\n`;
  }
  out += `action:   ${printable(explanation.action ?? action)}\n`;
  out += `target:   ${printable(explanation.target ?? target ?? '(none)')}\n`;
  out += `policy:   ${policy.version}\n`;
  if (decision.rule !== undefined) out += `rule:     ${formatRule(decision.rule)}\n`;
  if (decision.reason === 'malformed') {
    out += `why:      the query is malformed: capabilities are 1..${POLICY_LIMITS.maxNameBytes} bytes and targets 1..${POLICY_LIMITS.maxTargetBytes} bytes of [a-z0-9._-]\n`;
  }
  if (decision.reason === 'deny-rule') {
    out += 'why:      an explicit deny beats every allow\n';
    for (const rule of overridden) out += `overrides ${formatRule(rule)}\n`;
  }
  if (misses !== undefined) out += nearMissText(subject, misses);
  io.stdout(out);
  return decision.allow ? 0 : 1;
}

/**
 * `--action CAP@TARGET` is sugar for `--action CAP --target TARGET`; both at once is ambiguous.
 */
function splitAction(raw: string, target: string | undefined): [string, string | undefined] {
  const at = raw.indexOf('@');
  if (at < 0) return [raw, target];
  if (target !== undefined) {
    throw new CliError('USAGE', 'explain: give the target once: --action CAP@TARGET or --action CAP --target TARGET');
  }
  return [raw.slice(0, at), raw.slice(at + 1)];
}

/** Whether an allow rule of the subject matches the (normalized) target, so a deny overrode it. */
function applies(rule: Rule, target: string | undefined, restricted: boolean): boolean {
  if (rule.target !== undefined) return rule.target === target;
  return !restricted;
}

function nearMissText(subject: string, misses: NearMisses): string {
  let out = 'why:      no rule allows this: denied by default\n';
  if (misses.restricted !== undefined) {
    const { grant, restriction, needed } = misses.restricted;
    out += `restricted target: ${formatRule(grant)} does not reach this target`;
    out += restriction === undefined ? '' : ` (restricted at ${restriction.file}:${restriction.line}:${restriction.column})`;
    out += `; a grant must name it: ${needed}\n`;
  }
  out += `nearest grants of ${subject}:${misses.grants.length === 0 ? ' none' : ''}\n`;
  for (const rule of misses.grants) out += `  ${formatRule(rule)}\n`;
  out += `services allowed this action and target:${misses.holders.length === 0 ? ' none' : ''}\n`;
  for (const holder of misses.holders) out += `  ${formatRule(holder.rule)}\n`;
  if (misses.holdersTruncated) out += '  …\n';
  return out;
}
