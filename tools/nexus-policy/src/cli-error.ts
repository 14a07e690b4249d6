import type { CodeOf } from '@nexus/ipc';

/**
 * Every failure the `nexus-policy` tool reports as bad input (exit code 2), with its meaning. The
 * code union is derived from this table; `--json` prints the code as the error's `code`.
 *
 * @example
 * CLI_ERROR_CODES.FIXTURE; // 'a fixture file or folder that does not follow the fixture format or its bounds'
 */
export const CLI_ERROR_CODES = {
  USAGE: 'a command line the tool cannot run (a flag unknown, missing or of a bad value, too many inputs); the usage text follows it',
  IO: 'a file or folder that cannot be read, or a file that cannot be written here',
  TOO_LARGE: 'an input file over its bound',
  FIXTURE: 'a fixture file or folder that does not follow the fixture format or its bounds',
  JOURNAL: 'a file that is not an audit journal',
} as const;

/**
 * The code union of {@link CLI_ERROR_CODES}. A closed union so callers can switch exhaustively.
 *
 * @example
 * const code: CliErrorCode = 'USAGE';
 */
export type CliErrorCode = CodeOf<typeof CLI_ERROR_CODES>;

/**
 * The one error class of `@nexus/policy-cli`. Expected outcomes (a deny, a failing fixture, a
 * broken chain) are values; this is thrown only for input the tool cannot use. `file` and `line`
 * are set whenever the position is known.
 *
 * Not a `CodedError`: its message is `file:line: message`, printed after `nexus-policy: ` and given
 * as `message` by `--json`; the base's `CODE: ` prefix would change that output.
 *
 * @example
 * try { readJournal('not json'); } catch (e) { if (e instanceof CliError) e.code; } // 'JOURNAL'
 */
export class CliError extends Error {
  override readonly name: 'CliError' = 'CliError';
  readonly code: CliErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(
    code: CliErrorCode,
    message: string,
    options?: ErrorOptions & { file?: string; line?: number },
  ) {
    const where =
      options?.file === undefined ? '' : `${options.file}${options.line === undefined ? '' : `:${options.line}`}: `;
    super(`${where}${message}`, options);
    this.code = code;
    this.file = options?.file;
    this.line = options?.line;
  }
}
