import { CommandArgs } from './command-args.js';
import { formatJson } from './format-json.js';
import { lintPolicy } from './lint-policy.js';
import { DEFAULT_POLICY_DIR, loadPolicy } from './load-policy.js';
import type { CliIo } from './cli-io.js';
import { ruleLocation } from './rule-location.js';

/**
 * `nexus-policy check [DIR]`: compiles the policy, prints its version, a summary and the lint
 * warnings. Exit 0 when it compiles (warnings or not); a compile error propagates as `PolicyError`
 * (exit 2 in `main`).
 *
 * @example
 * await checkCommand(['recipes/policy'], io); // 0, prints 'version: sha256:…'
 */
export async function checkCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse('check', argv, {}, { min: 0, max: 1 });
  const dir = args.positionals[0] ?? DEFAULT_POLICY_DIR;
  const policy = await loadPolicy(dir, io);
  const warnings = lintPolicy(policy);
  const services = policy.services.filter((service) => service !== '*');
  const denyRules = policy.rules.filter((rule) => rule.effect === 'deny').length;
  const restrictedTargets = policy.restricted.reduce((sum, entry) => sum + entry.targets.length, 0);

  if (args.json) {
    io.stdout(
      formatJson({
        ok: true,
        dir,
        version: policy.version,
        services: services.length,
        rules: policy.rules.length,
        denyRules,
        restrictions: policy.restricted.length,
        restrictedTargets,
        warnings: warnings.map((w) => ({
          kind: w.kind,
          file: w.rule.file,
          line: w.rule.line,
          column: w.rule.column,
          message: w.message,
          related: w.related === undefined ? undefined : ruleLocation(w.related),
        })),
      }),
    );
    return 0;
  }
  let out = `policy ${dir}: ok\nversion: ${policy.version}\n`;
  out += `services: ${services.length}, rules: ${policy.rules.length} (${denyRules} deny), `;
  out += `restrictions: ${policy.restricted.length} (${restrictedTargets} target(s))\n`;
  for (const warning of warnings) out += `${ruleLocation(warning.rule)}: warning: ${warning.kind}: ${warning.message}\n`;
  out += `${warnings.length} warning(s)\n`;
  io.stdout(out);
  return 0;
}
