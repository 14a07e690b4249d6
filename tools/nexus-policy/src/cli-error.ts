/**
 * Every failure the `nexus-policy` tool reports as bad input (exit code 2). A closed union so
 * callers can switch exhaustively.
 */
export type CliErrorCode =
  | 'USAGE'
  | 'IO'
  | 'TOO_LARGE'
  | 'FIXTURE'
  | 'JOURNAL';

/**
 * The one error class of `@nexus/policy-cli`. Expected outcomes (a deny, a failing fixture, a
 * broken chain) are values; this is thrown only for input the tool cannot use. `file` and `line`
 * are set whenever the position is known.
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
