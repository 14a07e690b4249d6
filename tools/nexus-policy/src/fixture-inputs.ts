import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CliError } from './cli-error.js';
import { FIXTURE_LIMITS } from './fixture-file.js';
import type { CliIo } from './cli-io.js';

/** The fixture files of one `test` run and the policy folder they run against, when named. */
export interface FixtureInputs {
  /** Fixture files as the user typed them (a folder's files as `DIR/name.toml`), in run order. */
  readonly files: readonly string[];
  /** A trailing policy folder (the older `test FIXTURES.toml DIR` form), when one was given. */
  readonly policyDir: string | undefined;
}

const CASE_HEADER = /^\s*\[\[\s*case\s*\]\]/m;

/**
 * Sorts `test`'s positionals into fixture files and a policy folder. A file is a fixture file; a
 * folder is a fixture folder (its `*.toml`, sorted, not recursive) unless it is the last of two or
 * more positionals and none of its `*.toml` holds a `[[case]]` table: then it is the policy folder,
 * which keeps `test FIXTURES.toml DIR` working. A folder without fixture files, a missing path or
 * more than `FIXTURE_LIMITS.maxFiles` files throws `CliError` (exit 2), so a run never passes on
 * nothing.
 *
 * @example
 * await fixtureInputs(['cases.toml', 'recipes/policy'], io); // { files: ['cases.toml'], policyDir: 'recipes/policy' }
 * await fixtureInputs(['fixtures/'], io);                    // { files: ['fixtures/a.toml', ...], policyDir: undefined }
 */
export async function fixtureInputs(positionals: readonly string[], io: CliIo): Promise<FixtureInputs> {
  const files: string[] = [];
  let policyDir: string | undefined;
  for (const [index, path] of positionals.entries()) {
    if (!(await isFolder(path, io))) {
      files.push(path);
      continue;
    }
    const inside = await tomlFiles(path, io);
    const last = index === positionals.length - 1 && index > 0;
    if (last && !(await anyHoldsCases(inside, io))) {
      policyDir = path;
      continue;
    }
    if (inside.length === 0) throw new CliError('FIXTURE', 'no *.toml fixture file in this folder', { file: path });
    files.push(...inside);
  }
  if (files.length > FIXTURE_LIMITS.maxFiles) {
    throw new CliError('USAGE', `test: at most ${FIXTURE_LIMITS.maxFiles} fixture files in one run, got ${files.length}`);
  }
  return { files, policyDir };
}

async function isFolder(path: string, io: CliIo): Promise<boolean> {
  try {
    return (await stat(resolve(io.cwd, path))).isDirectory();
  } catch {
    // A missing path is reported by the reader with its cause, like any unreadable fixture file.
    return false;
  }
}

async function tomlFiles(dir: string, io: CliIo): Promise<string[]> {
  try {
    return (await readdir(resolve(io.cwd, dir), { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith('.toml'))
      .map((entry) => join(dir, entry.name))
      .sort();
  } catch (cause) {
    throw new CliError('IO', `cannot read the folder (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { file: dir, cause });
  }
}

async function anyHoldsCases(files: readonly string[], io: CliIo): Promise<boolean> {
  for (const file of files) {
    let text: string;
    try {
      text = await io.readFile(resolve(io.cwd, file), FIXTURE_LIMITS.maxBytes, 'latin1');
    } catch {
      // Too large or unreadable for a fixture file: it is policy-folder content (the compiler reports it).
      continue;
    }
    if (CASE_HEADER.test(text)) return true;
  }
  return false;
}
