import { describe, expect, test } from 'vitest';
import { runCli } from '../test-support/run-cli.js';
import { main } from './main.js';
import { TOOL_VERSION } from './tool-version.js';

describe(main, () => {
  const helps: readonly (readonly string[])[] = [['--help'], ['help'], ['-h'], ['help', 'diff'], ['diff', '--help'], ['audit', 'verify', '--help']];
  for (const argv of helps) {
    test(`${argv.join(' ')} prints usage and exit codes on stdout, exit 0`, async () => {
      const run = await runCli(argv);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Usage: nexus-policy');
      expect(run.stdout).toContain('Exit codes:');
    });
  }

  const usageErrors: readonly (readonly string[])[] = [
    [],
    ['frobnicate'],
    ['help', 'frobnicate'],
    ['check', '--frobnicate'],
    ['explain', '--subject'],
    ['audit'],
    ['audit', 'rewrite', 'x'],
    ['test'],
  ];
  for (const argv of usageErrors) {
    test(`test_reject_usage: "${argv.join(' ')}" prints usage on stderr, exit 2`, async () => {
      const run = await runCli(argv);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('Usage: nexus-policy');
    });
  }

  const versions: readonly (readonly string[])[] = [['--version'], ['-V'], ['check', '--version'], ['audit', 'show', '--version'], ['replay', '-V']];
  for (const argv of versions) {
    test(`${argv.join(' ')} prints the version, exit 0`, async () => {
      const run = await runCli(argv);
      expect([run.code, run.stdout, run.stderr]).toEqual([0, `nexus-policy ${TOOL_VERSION}\n`, '']);
    });
  }
});
