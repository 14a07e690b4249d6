import { CodedError } from '@nexus/ipc';

/**
 * Every reason a policy fails to compile or load. A closed union so callers can switch exhaustively.
 *
 * @example
 * const code: PolicyErrorCode = 'BAD_PATTERN';
 */
export type PolicyErrorCode =
  | 'TOML_SYNTAX'
  | 'SCHEMA'
  | 'BAD_NAME'
  | 'BAD_PATTERN'
  | 'ID_COLLISION'
  | 'FILE_TOO_LARGE'
  | 'TOO_MANY_RULES'
  | 'WILDCARD_SERVICE'
  | 'UNKNOWN_CAPABILITY'
  | 'TRUSTED_BASE_MODE'
  | 'MODE_CONFLICT'
  | 'IO';

/**
 * Where a `PolicyError` happened: the file, and a position in its text when one can be known.
 *
 * @example
 * new PolicyError('BAD_NAME', 'bad key', { file: 'a.toml', text, offset: 8 });
 */
export interface PolicyErrorLocation {
  /** The policy file (or directory, for `IO`) the error is about. */
  readonly file: string;
  /** The file's text, used to turn `offset` into a line and column and to render `codeblock`. */
  readonly text?: string;
  /** 0-based UTF-16 offset into `text`. */
  readonly offset?: number;
  /** 1-based line, when the position comes from elsewhere (smol-toml). */
  readonly line?: number;
  /** 1-based column, when the position comes from elsewhere (smol-toml). */
  readonly column?: number;
  /** The underlying error. */
  readonly cause?: unknown;
}

function lineColumnAt(text: string, offset: number): readonly [number, number] {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split(/\r?\n/);
  return [lines.length, (lines.at(-1) ?? '').length + 1];
}

function renderCodeblock(text: string, line: number, column: number): string {
  const lines = text.split(/\r?\n/);
  const width = String(line + 1).length;
  let block = '';
  for (let at = line - 1; at <= line + 1; at++) {
    const source = lines[at - 1];
    if (source === undefined || (source === '' && at !== line)) continue;
    block += `${String(at).padEnd(width, ' ')}:  ${source}\n`;
    if (at === line) block += `${' '.repeat(width + column + 2)}^\n`;
  }
  return block;
}

/**
 * The one error class of `@nexus/sel`. `message` starts with `file:line:col: CODE: `; `line` and
 * `column` are 1-based and present whenever the position can be known, and `codeblock` then shows the
 * offending line with a caret (like smol-toml's `TomlError`).
 *
 * @example
 * try { compilePolicy([{ path: 'a.toml', text: '[allow]\nx = ["*"]' }]); }
 * catch (e) { if (e instanceof PolicyError) [e.code, e.line, e.column]; } // ['BAD_PATTERN', 2, 6]
 */
export class PolicyError extends CodedError<PolicyErrorCode> {
  override readonly name: 'PolicyError' = 'PolicyError';
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly codeblock: string;

  constructor(code: PolicyErrorCode, detail: string, where: PolicyErrorLocation) {
    let { line, column } = where;
    if (line === undefined && where.text !== undefined && where.offset !== undefined) {
      [line, column] = lineColumnAt(where.text, where.offset);
    }
    const position = line === undefined ? '' : `:${line}:${column ?? 1}`;
    const codeblock =
      line !== undefined && where.text !== undefined ? renderCodeblock(where.text, line, column ?? 1) : '';
    super(code, `${detail}${codeblock === '' ? '' : `\n\n${codeblock}`}`, {
      at: `${where.file}${position}`,
      ...(where.cause === undefined ? {} : { cause: where.cause }),
    });
    this.file = where.file;
    this.line = line;
    this.column = line === undefined ? undefined : (column ?? 1);
    this.codeblock = codeblock;
  }
}
