import { isAbsolute, relative, resolve } from 'node:path';
import { compilePolicy, POLICY_LIMITS, PolicyError, type Policy, type PolicyFile } from '@nexus/sel';
import { CliError } from './cli-error.js';
import { CommandArgs } from './command-args.js';
import { learnFromJournal, type LearnPair, type LearnReport } from './learn-journal.js';
import { formatLearnPatch } from './learn-patch.js';
import { DEFAULT_POLICY_DIR, policyFiles } from './load-policy.js';
import type { CliIo } from './cli-io.js';
import { printable } from './printable.js';
import { ruleJson } from './rule-location.js';
import { asciiJson } from './ascii-json.js';
import { readVerifiedJournal } from './verified-journal.js';

/** The files of a policy folder (as `loadPolicy` reads them), kept so the patch can be compiled with them. */
async function readPolicyFiles(dir: string, io: CliIo): Promise<PolicyFile[]> {
  const files: PolicyFile[] = [];
  for (const path of await policyFiles(dir, io)) {
    try {
      files.push({ path, text: await io.readFile(resolve(io.cwd, path), POLICY_LIMITS.maxFileBytes) });
    } catch (cause) {
      if (!(cause instanceof CliError)) throw cause;
      throw new PolicyError(cause.code === 'TOO_LARGE' ? 'FILE_TOO_LARGE' : 'IO', cause.message, { file: path, cause });
    }
  }
  return files;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function pairJson(p: LearnPair): Record<string, unknown> {
  const { subjectId, service, action, target, count, wouldDeny, firstSeq, lastSeq, ops } = p;
  return { subjectId, service: service ?? null, action, target: target ?? null, count, wouldDeny, firstSeq, lastSeq, ops };
}

function reportJson(report: LearnReport): Record<string, unknown> {
  return {
    decisions: report.decisions,
    observed: report.observed,
    grants: report.grants.map((g) => ({ ...pairJson(g), pattern: g.pattern })),
    refused: report.refused.map((r) => ({ ...pairJson(r), kind: r.kind, detail: r.detail, rule: ruleJson(r.rule) })),
    alreadyAllowed: report.alreadyAllowed.map(pairJson),
  };
}

/**
 * `nexus-policy learn JOURNAL [--policy DIR] [--ceiling DIR] [-o FILE] [--key PUBKEY.pem]
 * [--allow-unverified]`: verifies the journal as `replay` does (a broken one, and an unverified one
 * unless `--allow-unverified`, is refused with exit 1 before any output), compiles the policy
 * (default `recipes/policy`) and the ceiling, learns the grants (`learnFromJournal`) and prints the
 * TOML patch (`formatLearnPatch`), or writes it to `-o FILE`, which may not lie inside the policy
 * or ceiling folder: learn never edits a policy. Before anything is printed the patch is compiled
 * together with the policy files, and its rules must be exactly the learned grants. Exit 0 when a
 * patch was produced, 2 for a policy that does not compile or an unreadable file.
 *
 * @example
 * await learnCommand(['audit.journal', '--key', 'audit-key.pem', '--ceiling', 'ceiling'], io); // 0, prints the patch
 */
export async function learnCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse(
    'learn',
    argv,
    {
      policy: { type: 'string' },
      ceiling: { type: 'string' },
      output: { type: 'string', short: 'o' },
      key: { type: 'string' },
      'allow-unverified': { type: 'boolean' },
    },
    { min: 1, max: 1 },
  );
  const journal = args.positionals[0] ?? '';
  const dir = args.string('policy') ?? DEFAULT_POLICY_DIR;
  const ceilingDir = args.string('ceiling');
  const output = args.string('output');
  if (output !== undefined) {
    const target = resolve(io.cwd, output);
    for (const folder of [dir, ...(ceilingDir === undefined ? [] : [ceilingDir])]) {
      if (isInside(target, resolve(io.cwd, folder))) {
        throw new CliError('USAGE', `learn: -o ${printable(output)} lies inside the policy folder ${printable(folder)}; learn never edits a policy`);
      }
    }
    if (io.writeFile === undefined) throw new CliError('USAGE', 'learn: -o is not available here (no file may be written)');
  }
  const files = await readPolicyFiles(dir, io);
  const policy = compilePolicy(files);
  const ceiling: Policy | undefined = ceilingDir === undefined ? undefined : compilePolicy(await readPolicyFiles(ceilingDir, io));
  const journalRead = await readVerifiedJournal('learn', journal, args.string('key'), args.flag('allow-unverified'), args.json, io);
  if (!journalRead.ok) return journalRead.code;
  const { entries, verdict, warnings, summary: verified } = journalRead;
  const report = learnFromJournal(entries, { policy, ceiling });
  const patch = formatLearnPatch(report, { journal, verified, policyDir: dir, policyVersion: policy.version, ceilingDir, ceilingVersion: ceiling?.version });
  checkPatch(files, patch, report);
  if (output !== undefined) await io.writeFile?.(resolve(io.cwd, output), patch);
  if (args.json) {
    io.stdout(asciiJson({
      journal, ok: true, verification: verdict, warnings,
      policy: { dir, version: policy.version },
      ceiling: ceiling === undefined ? null : { dir: ceilingDir, version: ceiling.version },
      output: output ?? null,
      ...reportJson(report),
      patch,
    }));
  } else if (output !== undefined) {
    io.stdout(
      `learn: ${report.grants.length} grant(s), ${report.refused.length} refused, ${report.alreadyAllowed.length} allowed by now ` +
        `(${report.observed} observed default denies) -> ${printable(output)}\n`,
    );
  } else {
    io.stdout(patch);
  }
  return 0;
}

/**
 * The patch, compiled together with the policy files, must add exactly the learned grants: a
 * formatting slip that dropped, merged or widened one is a defect, never output.
 */
function checkPatch(files: readonly PolicyFile[], patch: string, report: LearnReport): void {
  const path = files[0]?.path.replace(/[^/\\]*$/, 'learned.toml') ?? 'learned.toml';
  const patched = compilePolicy([...files, { path, text: patch }]);
  const added = patched.rules.filter((r) => r.file === path).map((r) => `${r.effect} ${r.service} ${r.pattern}`);
  const expected = report.grants.map((g) => `allow ${g.service} ${g.pattern}`);
  if (added.join('\n') !== expected.join('\n')) throw new Error(`learn: the patch does not compile to exactly the learned grants`);
}
