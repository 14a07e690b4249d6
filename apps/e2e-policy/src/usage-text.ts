import { PHASE_NAMES } from './phase-name.js';

/**
 * The selftest's usage, printed by `npm start -- --help` (exit 0). Every flag `parseArgs`
 * accepts is listed here; `usage-text.test.ts` fails when one is missing.
 *
 * @example
 * usageText().startsWith('Usage: npm start -- [options]'); // true
 */
export function usageText(): string {
  return [
    'Usage: npm start -- [options]',
    '',
    'Boots every Nexus service in one process and prints a proof marker for each check that passed.',
    '',
    'Options (each also as --flag=value):',
    `  --phase NAME      run only this phase (repeatable); phases: ${PHASE_NAMES.join(', ')}`,
    '  --policy DIR      policy directory to load instead of the repository\'s recipes/policy',
    '  --json FILE       write the machine-readable report to FILE',
    '  --audit-out FILE  write the audit journal (journal v2) to FILE, for `nexus-policy audit verify`',
    '  --uart-out FILE   write the audit serial line\'s lines to FILE',
    '  --audit-key-out FILE',
    '                    write the audit public key (SPKI PEM, fetched from keystored) to FILE',
    '  --shadow DIR      decide every question under the candidate policy in DIR too (shadow); answers',
    '                    never change, records carry the divergences (`nexus-policy audit shadow`)',
    '  --state-dir DIR   keep logd\'s journals on disk in DIR (default: a fresh temporary folder,',
    '                    removed at exit)',
    '  --keep-state      keep the temporary state folder and print where it is',
    '  --help, -h        print this help and exit 0',
    '',
    'Environment:',
    '  RUN_PHASE=a,b     phases to run, comma-separated (added to --phase)',
    '',
    'Exit status: 0 every marker earned, 1 a proof failed, 2 a configuration error.',
  ].join('\n');
}

/**
 * Whether the command line asks for the usage (`--help` or `-h` anywhere), checked before the
 * arguments are parsed so `--help` next to anything else still prints it.
 *
 * @example
 * wantsHelp(['--phase', 'policy', '--help']); // true
 */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--help' || arg === '-h');
}
