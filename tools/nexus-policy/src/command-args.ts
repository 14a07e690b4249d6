import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from '@nexus/sel';
import { CliError } from './cli-error.js';
import { printable } from './printable.js';

/** The flags a command accepts, in `node:util` `parseArgs` form. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** How many positional arguments a command accepts. */
export interface PositionalBounds {
  min: number;
  max: number;
}

/**
 * The parsed arguments of one command: strict `node:util` `parseArgs` plus the `--json` flag every
 * command takes. Unknown flags, missing flag values and a wrong number of positionals
 * throw `CliError('USAGE')`, which `main` turns into the usage text on stderr and exit code 2.
 *
 * @example
 * const args = CommandArgs.parse('explain', ['--subject', 'keystored', '--action', 'crypto.sign'],
 *   { subject: { type: 'string' }, action: { type: 'string' } }, { min: 0, max: 1 });
 * args.string('subject'); // 'keystored'
 * args.json;              // false
 */
export class CommandArgs {
  readonly json: boolean;
  readonly positionals: readonly string[];
  readonly #values: Readonly<Record<string, string | boolean | undefined>>;

  private constructor(values: Record<string, string | boolean | undefined>, positionals: readonly string[]) {
    this.#values = values;
    this.positionals = positionals;
    this.json = values['json'] === true;
  }

  /** Parses `argv` (the words after the command name) against `options`. */
  static parse(
    command: string,
    argv: readonly string[],
    options: CommandOptions,
    bounds: PositionalBounds,
  ): CommandArgs {
    let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
    try {
      parsed = parseArgs({
        args: [...argv],
        options: { ...options, json: { type: 'boolean' } },
        strict: true,
        allowPositionals: true,
      }) as { values: Record<string, string | boolean | undefined>; positionals: string[] };
    } catch (cause) {
      const unknown = (cause as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? unknownFlag(argv, options) : undefined;
      if (unknown !== undefined) throw new CliError('USAGE', `${command}: ${unknown}`, { cause });
      throw new CliError('USAGE', `${command}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    const args = new CommandArgs(parsed.values, parsed.positionals);
    if (parsed.positionals.length < bounds.min || parsed.positionals.length > bounds.max) {
      const expected = bounds.min === bounds.max ? `${bounds.min}` : `${bounds.min} to ${bounds.max}`;
      throw new CliError(
        'USAGE',
        `${command}: expected ${expected} argument(s), got ${parsed.positionals.length}`,
      );
    }
    return args;
  }

  /** Whether a boolean flag was given. */
  flag(name: string): boolean {
    return this.#values[name] === true;
  }

  /** The value of a string flag, or `undefined` when it was not given. */
  string(name: string): string | undefined {
    const value = this.#values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** The value of a string flag that must be given. */
  required(command: string, name: string): string {
    const value = this.string(name);
    if (value === undefined) throw new CliError('USAGE', `${command}: --${name} is required`);
    return value;
  }
}

/**
 * The first flag of `argv` that `options` does not know, as a message with the nearest known flag
 * (or the list of flags), printable and cut so a hostile argument cannot paint the terminal.
 */
function unknownFlag(argv: readonly string[], options: CommandOptions): string | undefined {
  const known = [...Object.keys(options), 'json'];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index] ?? '';
    if (word === '--') return undefined;
    if (!word.startsWith('-') || word === '-') continue;
    const name = word.startsWith('--') ? (word.slice(2).split('=')[0] ?? '') : word.slice(1);
    if (word.startsWith('--') && known.includes(name)) {
      // A string flag written `--flag VALUE` takes the next word, whatever it looks like.
      if (options[name]?.type === 'string' && !word.includes('=')) index++;
      continue;
    }
    const shown = printable(`${word.startsWith('--') ? '--' : '-'}${name}`.slice(0, 66));
    const near = name.length > 1 ? didYouMean(name, known) : undefined;
    const hint = near === undefined ? `flags: ${known.map((flag) => `--${flag}`).join(', ')}` : `did you mean --${near}?`;
    return `unknown flag ${shown} (${hint})`;
  }
  return undefined;
}
