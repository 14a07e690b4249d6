import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compilePolicy } from './compile-policy.js';
import type { Policy, PolicyFile } from './policy.js';
import { PolicyError } from './policy-error.js';
import { POLICY_LIMITS } from './policy-limits.js';

function ioError(file: string, cause: unknown): PolicyError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new PolicyError('IO', detail, { file, cause });
}

/**
 * Reads every `*.toml` file of a directory (not recursive, sorted by name), each checked against the
 * size bound before it is read, and compiles them. File paths in rules and errors are the bare file
 * names. Throws `PolicyError` (`IO` for file-system failures).
 *
 * @example
 * const policy = loadPolicyDir('recipes/policy');
 * policy.rules[0]?.file; // 'authority.toml'
 */
export function loadPolicyDir(dir: string): Policy {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.toml'))
      .map((entry) => entry.name)
      .sort();
  } catch (cause) {
    throw ioError(dir, cause);
  }
  if (names.length > POLICY_LIMITS.maxFiles) {
    throw new PolicyError('TOO_MANY_RULES', `at most ${POLICY_LIMITS.maxFiles} policy files`, { file: dir });
  }
  const files: PolicyFile[] = names.map((name) => {
    const full = join(dir, name);
    let text: string;
    try {
      if (statSync(full).size > POLICY_LIMITS.maxFileBytes) {
        throw new PolicyError('FILE_TOO_LARGE', `a policy file may hold at most ${POLICY_LIMITS.maxFileBytes} bytes`, {
          file: name,
        });
      }
      text = readFileSync(full, 'utf8');
    } catch (cause) {
      throw cause instanceof PolicyError ? cause : ioError(name, cause);
    }
    return { path: name, text };
  });
  return compilePolicy(files);
}
