import { CommandArgs } from './command-args.js';
import { formatJson } from './format-json.js';
import { loadPolicy } from './load-policy.js';
import type { CliIo } from './cli-io.js';
import { diffLines } from './diff-lines.js';
import { diffPolicies } from './policy-diff.js';
import { ruleJson } from './rule-location.js';

/**
 * `nexus-policy diff OLD_DIR NEW_DIR`: prints both versions and every decision that changes
 * (`+ allow`, `- allow`, `~ reason`), grouped (see `diffLines`); `--json` lists every query class
 * singly. Exit 0 when nothing changes, 1 otherwise.
 *
 * @example
 * await diffCommand(['recipes/policy', 'recipes/policy'], io); // 0
 */
export async function diffCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse('diff', argv, {}, { min: 2, max: 2 });
  const [oldDir = '', newDir = ''] = args.positionals;
  const diff = diffPolicies(await loadPolicy(oldDir, io), await loadPolicy(newDir, io));
  const code = diff.changes.length === 0 ? 0 : 1;
  if (args.json) {
    io.stdout(
      formatJson({
        old: { dir: oldDir, version: diff.oldVersion },
        new: { dir: newDir, version: diff.newVersion },
        queries: diff.queries,
        changes: diff.changes.map((change) => ({
          kind: change.kind,
          service: change.service,
          action: change.action,
          example: change.example,
          target: change.target ?? null,
          oldReason: change.oldReason,
          newReason: change.newReason,
          oldRule: ruleJson(change.oldRule),
          newRule: ruleJson(change.newRule),
        })),
      }),
    );
    return code;
  }
  let out = `--- ${oldDir} ${diff.oldVersion}\n+++ ${newDir} ${diff.newVersion}\n`;
  for (const line of diffLines(diff.changes, diff.targets)) out += `${line}\n`;
  out += `${diff.changes.length} change(s) over ${diff.queries} queries\n`;
  io.stdout(out);
  return code;
}
