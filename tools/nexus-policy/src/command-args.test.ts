import { describe, expect, test } from 'vitest';
import { CliError } from './cli-error.js';
import { CommandArgs } from './command-args.js';

const OPTIONS = { policy: { type: 'string' }, 'min-coverage': { type: 'string' }, strict: { type: 'boolean' } } as const;

function usageOf(argv: readonly string[]): string {
  try {
    CommandArgs.parse('test', argv, OPTIONS, { min: 0, max: 2 });
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('USAGE');
    return (error as CliError).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe(CommandArgs.parse, () => {
  test('known flags, --json and positionals', () => {
    const args = CommandArgs.parse('test', ['a', '--policy', 'p', '--strict', '--json'], OPTIONS, { min: 1, max: 1 });
    expect([args.positionals, args.string('policy'), args.flag('strict'), args.json]).toEqual([['a'], 'p', true, true]);
  });

  const unknown: readonly [argv: string[], message: string][] = [
    [['--polcy', 'x'], 'test: unknown flag --polcy (did you mean --policy?)'],
    [['--polciy=x'], 'test: unknown flag --polciy (did you mean --policy?)'],
    [['--min-covrage', '5'], 'test: unknown flag --min-covrage (did you mean --min-coverage?)'],
    [['--jsno'], 'test: unknown flag --jsno (did you mean --json?)'],
    [['--frobnicate'], 'test: unknown flag --frobnicate (flags: --policy, --min-coverage, --strict, --json)'],
    [['--policy=-p', '--stirct'], 'test: unknown flag --stirct (did you mean --strict?)'],
    [['-x'], 'test: unknown flag -x (flags: --policy, --min-coverage, --strict, --json)'],
  ];
  for (const [argv, message] of unknown) {
    test(`test_reject_unknown_flag: ${argv.join(' ')}`, () => {
      expect(usageOf(argv)).toBe(message);
    });
  }

  test('test_reject_unknown_flag: a hostile flag name is cut and escaped', () => {
    const message = usageOf([`--${'\u001b[31m'.repeat(40)}`]);
    expect(message).not.toContain('\u001b');
    expect(message.length).toBeLessThan(200);
  });

  test('test_reject_missing_value: --policy without a value', () => {
    expect(usageOf(['--policy'])).toContain('--policy');
  });

  test('test_reject_positionals: too many', () => {
    expect(usageOf(['a', 'b', 'c'])).toBe('test: expected 0 to 2 argument(s), got 3');
  });
});
