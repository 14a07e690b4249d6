import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { compilePolicy, POLICY_LIMITS, PolicyError, type Policy, type PolicyFile } from '@nexus/sel';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';

/** The policy folder commands use when none is given. */
export const DEFAULT_POLICY_DIR = 'recipes/policy';

/**
 * Compiles every `*.toml` of a policy folder (sorted, not recursive), resolved against the tool's
 * current directory. Unlike `loadPolicyDir` of `@nexus/sel/node`, rules and errors name each file as
 * `DIR/name.toml` with DIR as the user typed it, so `file:line:col` opens in an editor from the
 * same shell. Each file is size-checked before it is read. Failures throw `PolicyError`
 * (`IO`, `FILE_TOO_LARGE`, `TOO_MANY_RULES`, or any compile error), which `main` prints.
 *
 * @example
 * const policy = await loadPolicy('recipes/policy', io);
 * policy.rules[0]?.file; // 'recipes/policy/authority.toml'
 */
export async function loadPolicy(dir: string, io: CliIo): Promise<Policy> {
  const files: PolicyFile[] = [];
  for (const path of await policyFiles(dir, io)) {
    try {
      files.push({ path, text: await io.readFile(resolve(io.cwd, path), POLICY_LIMITS.maxFileBytes) });
    } catch (cause) {
      if (!(cause instanceof CliError)) throw cause;
      const code = cause.code === 'TOO_LARGE' ? 'FILE_TOO_LARGE' : 'IO';
      throw new PolicyError(code, cause.message, { file: path, cause });
    }
  }
  return compilePolicy(files);
}

/**
 * The `*.toml` files of a policy folder as `DIR/name.toml` (sorted, not recursive). Throws
 * `PolicyError('IO')` with a one-line cause for a missing folder, a file, an unreadable folder or
 * a folder without policy files, and `TOO_MANY_RULES` past the file bound.
 *
 * @example
 * await policyFiles('recipes/policy', io); // ['recipes/policy/authority.toml', 'recipes/policy/base.toml']
 */
export async function policyFiles(dir: string, io: CliIo): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(resolve(io.cwd, dir), { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith('.toml'))
      .map((entry) => entry.name)
      .sort();
  } catch (cause) {
    throw new PolicyError('IO', folderFailure((cause as NodeJS.ErrnoException).code), { file: dir, cause });
  }
  if (names.length === 0) {
    // An empty or wrong folder must not read as "ok, 0 rules": that is a policy that denies everything.
    throw new PolicyError('IO', 'no *.toml policy file in this folder', { file: dir });
  }
  if (names.length > POLICY_LIMITS.maxFiles) {
    throw new PolicyError('TOO_MANY_RULES', `at most ${POLICY_LIMITS.maxFiles} policy files`, { file: dir });
  }
  return names.map((name) => join(dir, name));
}

function folderFailure(code: string | undefined): string {
  if (code === 'ENOTDIR') return 'is a file, not a policy folder (give the folder that holds the *.toml files)';
  if (code === 'ENOENT') return 'no such policy folder';
  if (code === 'EACCES' || code === 'EPERM') return 'the policy folder is not readable';
  return `cannot read the policy folder (${code ?? 'error'})`;
}
