import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { POLICY_LIMITS } from '@nexus/sel';
import { CliError } from './cli-error.js';
import { CommandArgs } from './command-args.js';
import { formatJson } from './format-json.js';
import { lineDiff } from './line-diff.js';
import { DEFAULT_POLICY_DIR, policyFiles } from './load-policy.js';
import type { CliIo } from './cli-io.js';
import { formatPolicyText } from './policy-format.js';

/**
 * `nexus-policy fmt [--check|--write] [DIR|FILE…]`: puts policy files in their canonical layout
 * (`formatPolicyText`). `--check` (the default) prints a diff for every file that is not formatted
 * and exits 1 if any; `--write` rewrites those files and exits 0. Arguments default to
 * `recipes/policy`; a folder means its `*.toml` files.
 *
 * @example
 * await fmtCommand(['--check', 'recipes/policy'], io); // 0 when formatted
 */
export async function fmtCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse('fmt', argv, { check: { type: 'boolean' }, write: { type: 'boolean' } }, { min: 0, max: 64 });
  if (args.flag('check') && args.flag('write')) throw new CliError('USAGE', 'fmt: give --check or --write, not both');
  const write = args.flag('write');
  const files: string[] = [];
  for (const target of args.positionals.length === 0 ? [DEFAULT_POLICY_DIR] : args.positionals) {
    files.push(...(await isDirectory(resolve(io.cwd, target)) ? await policyFiles(target, io) : [target]));
  }
  const unformatted: { file: string; diff: string }[] = [];
  for (const file of files) {
    const text = await io.readFile(resolve(io.cwd, file), POLICY_LIMITS.maxFileBytes);
    const formatted = await formatPolicyText(text, file);
    if (formatted === text) continue;
    unformatted.push({ file, diff: lineDiff(text, formatted, file) });
    if (write) {
      if (io.writeFile === undefined) throw new CliError('IO', 'fmt: this environment cannot write files');
      await io.writeFile(resolve(io.cwd, file), formatted);
    }
  }
  if (args.json) {
    io.stdout(formatJson({ files: files.length, unformatted: unformatted.map((u) => u.file), written: write }));
  } else if (write) {
    for (const { file } of unformatted) io.stdout(`formatted ${file}\n`);
    io.stdout(`${unformatted.length} of ${files.length} file(s) rewritten\n`);
  } else {
    for (const { diff } of unformatted) io.stdout(diff);
    io.stdout(`${unformatted.length} of ${files.length} file(s) not formatted\n`);
  }
  return unformatted.length > 0 && !write ? 1 : 0;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (cause) {
    throw new CliError('IO', `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause });
  }
}
