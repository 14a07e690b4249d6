import { writeFile } from 'node:fs/promises';
import { defaultPolicyDir } from './default-policy-dir.js';
import { parseArgs } from './parse-args.js';
import { runSelftest, type SelftestIo } from './run-selftest.js';
import { SelftestError } from './selftest-error.js';
import { usageText, wantsHelp } from './usage-text.js';

/**
 * The console IO of the app: stdout lines and real files.
 *
 * @example
 * await runMain(process.argv.slice(2), process.env, nodeIo);
 */
export const nodeIo: SelftestIo = Object.freeze({
  print: (line: string): void => {
    process.stdout.write(`${line}\n`);
  },
  writeFile: (path: string, text: string): Promise<void> => writeFile(path, text, 'utf8'),
});

/**
 * The whole command: parses `argv` and `env`, runs the selftest and returns the exit status
 * (0 every marker earned, 1 a proof failed, 2 a configuration error such as a bad argument).
 * `--help` / `-h` prints the usage and returns 0 without running anything.
 *
 * @example
 * process.exitCode = await runMain(['--phase', 'policy'], {}, nodeIo);
 */
export async function runMain(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: SelftestIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.print(usageText());
    return 0;
  }
  try {
    const args = parseArgs(argv, env);
    const report = await runSelftest({ ...args, policyDir: args.policyDir ?? defaultPolicyDir() }, io);
    return report.exitCode;
  } catch (error) {
    if (!(error instanceof SelftestError)) throw error;
    io.print(`SELFTEST: configuration error: ${error.message}`);
    return 2;
  }
}
