/**
 * A package's table of error codes: each code with the one-line meaning its docs give it. The code
 * type is derived from the table (`keyof typeof TABLE`), as tRPC derives its error codes, so the
 * closed union and the list a tool can print never disagree.
 *
 * @example
 * const CODES = { MALFORMED: 'bytes that do not parse', ALREADY_CONNECTED: 'a channel connected twice' } as const satisfies CodeTable;
 * type Code = CodeOf<typeof CODES>; // 'MALFORMED' | 'ALREADY_CONNECTED'
 */
export type CodeTable = Readonly<Record<string, string>>;

/**
 * The code union of a {@link CodeTable}.
 *
 * @example
 * type IpcErrorCode = CodeOf<typeof IPC_ERROR_CODES>;
 */
export type CodeOf<T extends CodeTable> = keyof T & string;

/**
 * Where a {@link CodedError} happened, when a position in some input is known: printed before the
 * code as `at: CODE: message` (e.g. `policy.toml:3:7`).
 */
export interface CodedErrorOptions extends ErrorOptions {
  /** A location such as `file:line:col`; omitted from the message when undefined. */
  readonly at?: string;
}

/**
 * The one base of every typed error in the workspace: a closed `code` and the message format
 * `CODE: message` (or `at: CODE: message` when a position is known). The same idea has the same
 * code name in every package: `MALFORMED`, `TOO_LARGE`, `UNSUPPORTED`, `BAD_VALUE` (an argument or
 * option that cannot be used), `MISMATCH`, `ALREADY_CONNECTED` (a channel connected twice),
 * `LIMIT_REACHED` (a bound reached).
 *
 * @example
 * class DemoError extends CodedError<'BAD_VALUE'> { override readonly name: 'DemoError' = 'DemoError'; }
 * new DemoError('BAD_VALUE', 'n must be > 0').message; // 'BAD_VALUE: n must be > 0'
 */
export abstract class CodedError<Code extends string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: CodedErrorOptions) {
    const at = options?.at;
    super(`${at === undefined ? '' : `${at}: `}${code}: ${message}`, options);
    this.code = code;
  }
}
