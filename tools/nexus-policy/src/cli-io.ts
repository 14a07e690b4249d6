/**
 * Everything `main` touches outside itself, injectable so tests run the tool in-process.
 *
 * @example
 * const io: CliIo = { ...nodeIo(), stdout: (text) => void (captured += text) };
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
  /**
   * Reads a UTF-8 file, refusing (`CliError('TOO_LARGE')`) one larger than `maxBytes`. With
   * `latin1`, every byte is one character (no decoding error): for formats that are ASCII, where a
   * stray byte is the format's own error to report with its line.
   */
  readFile(path: string, maxBytes: number, encoding?: 'utf-8' | 'latin1'): Promise<string>;
  /** Replaces a file's content (only `fmt --write` writes); absent where writing is not allowed. */
  writeFile?(path: string, text: string): Promise<void>;
}

/**
 * One command: parses its own arguments and returns the process exit code.
 *
 * @example
 * const check: Command = checkCommand; // await check(['recipes/policy'], io) === 0
 */
export type Command = (argv: readonly string[], io: CliIo) => Promise<number>;
