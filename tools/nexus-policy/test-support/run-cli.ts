import { fileURLToPath } from 'node:url';
import { main } from '../src/main.js';
import { nodeIo } from '../src/node-io.js';

/** The repository root, so tests can name `recipes/policy` the way a user would. */
export const REPO_ROOT: string = fileURLToPath(new URL('../../../', import.meta.url));

/** The package root, for paths like `fixtures/policy-good`. */
export const PACKAGE_ROOT: string = fileURLToPath(new URL('../', import.meta.url));

/** What one in-process run of the tool printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `main` in-process with real files, capturing stdout and stderr. */
export async function runCli(argv: readonly string[], cwd: string = PACKAGE_ROOT): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io = {
    ...nodeIo(),
    cwd,
    stdout: (text: string): void => void (stdout += text),
    stderr: (text: string): void => void (stderr += text),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Runs the tool with `--json` appended and parses its one JSON document (typed loosely: tests probe arbitrary fields). */
export async function runJson(argv: readonly string[], cwd?: string): // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Promise<{ code: number; json: any }> {
  const run = await runCli([...argv, '--json'], cwd);
  return { code: run.code, json: JSON.parse(run.stdout) };
}
