import { phaseName, type PhaseName } from './phase-name.js';
import { SelftestError } from './selftest-error.js';

/**
 * The command line of the selftest, parsed.
 *
 * @example
 * const args: SelftestArgs = { phases: ['policy'] };
 */
export interface SelftestArgs {
  /** Phases asked for (`--phase`, repeatable, then `RUN_PHASE`); empty = all. */
  readonly phases: readonly PhaseName[];
  /** `--policy DIR`: the policy directory instead of the repository's `recipes/policy`. */
  readonly policyDir?: string;
  /** `--json FILE`: the machine-readable report. */
  readonly jsonOut?: string;
  /** `--audit-out FILE`: the audit journal (`@nexus/audit` journal v2, one record line per record). */
  readonly auditOut?: string;
  /** `--uart-out FILE`: the audit serial line's lines. */
  readonly uartOut?: string;
  /** `--audit-key-out FILE`: the audit public key (SPKI PEM), as fetched from keystored by the client. */
  readonly auditKeyOut?: string;
  /** `--shadow DIR`: a candidate policy policyd decides in shadow next to the active one. */
  readonly shadowDir?: string;
  /** `--state-dir DIR`: logd's state dir (kept); default a fresh temporary one, removed at exit. */
  readonly stateDir?: string;
  /** `--keep-state`: keep the temporary state dir (its path is printed). */
  readonly keepState?: boolean;
}

const FILE_OPTIONS = {
  '--policy': 'policyDir', '--json': 'jsonOut', '--audit-out': 'auditOut', '--uart-out': 'uartOut', '--audit-key-out': 'auditKeyOut',
  '--shadow': 'shadowDir',
  '--state-dir': 'stateDir',
} as const;
const MAX_ARGS = 64;
const MAX_ARG_CHARS = 4096;

function isFileOption(flag: string): flag is keyof typeof FILE_OPTIONS {
  return Object.hasOwn(FILE_OPTIONS, flag);
}

/**
 * Parses the selftest's arguments (`--phase NAME` repeatable, `--policy DIR`, `--json FILE`,
 * `--audit-out FILE`, `--uart-out FILE`, `--audit-key-out FILE`, `--state-dir DIR`, each also as
 * `--flag=value`, and `--keep-state`) and `RUN_PHASE`
 * (comma-separated). Throws `SelftestError` (`BAD_VALUE` / `UNKNOWN_PHASE`) on anything else.
 *
 * @example
 * parseArgs(['--phase', 'policy', '--json=out.json'], { RUN_PHASE: 'exec' });
 * // { phases: ['policy', 'exec'], jsonOut: 'out.json' }
 */
export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): SelftestArgs {
  if (argv.length > MAX_ARGS) throw new SelftestError('BAD_VALUE', `at most ${MAX_ARGS} arguments`);
  const phases: PhaseName[] = [];
  const files: { -readonly [K in keyof Omit<SelftestArgs, 'phases' | 'keepState'>]?: string } = {};
  let keepState = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.length > MAX_ARG_CHARS) throw new SelftestError('BAD_VALUE', `an argument is longer than ${MAX_ARG_CHARS} characters`);
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (arg === '--keep-state') {
      if (keepState) throw new SelftestError('BAD_VALUE', '--keep-state given twice');
      keepState = true;
      continue;
    }
    if (flag !== '--phase' && !isFileOption(flag)) {
      throw new SelftestError('BAD_VALUE', `unknown argument "${arg.slice(0, 48)}"`);
    }
    const value: string | undefined = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new SelftestError('BAD_VALUE', `${flag} needs a value`);
    if (value.length > MAX_ARG_CHARS) throw new SelftestError('BAD_VALUE', `an argument is longer than ${MAX_ARG_CHARS} characters`);
    if (flag === '--phase') {
      phases.push(phaseName(value));
      continue;
    }
    const key = FILE_OPTIONS[flag];
    if (files[key] !== undefined) throw new SelftestError('BAD_VALUE', `${flag} given twice`);
    files[key] = value;
  }
  const fromEnv = env['RUN_PHASE'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    if (fromEnv.length > MAX_ARG_CHARS) throw new SelftestError('BAD_VALUE', 'RUN_PHASE is too long');
    for (const part of fromEnv.split(',')) phases.push(phaseName(part.trim()));
  }
  return { phases, ...files, ...(keepState ? { keepState } : {}) };
}
