import { PolicyError } from '@nexus/sel';
import { auditCommand } from './audit-command.js';
import { checkCommand } from './check-command.js';
import { CliError } from './cli-error.js';
import { didYouMean } from '@nexus/sel';
import { diffCommand } from './diff-command.js';
import { explainCommand } from './explain-command.js';
import { fmtCommand } from './fmt-command.js';
import { formatJson } from './format-json.js';
import { COMMAND_NAMES, helpText, isCommandName, type CommandName } from './help-text.js';
import { TOOL_VERSION } from './tool-version.js';
import { learnCommand } from './learn-command.js';
import { replayCommand } from './replay-command.js';
import { reportCommand } from './report-command.js';
import { testCommand } from './test-command.js';
import type { CliIo, Command } from './cli-io.js';

const COMMANDS: Readonly<Record<CommandName, Command>> = {
  check: checkCommand,
  explain: explainCommand,
  diff: diffCommand,
  test: testCommand,
  audit: auditCommand,
  fmt: fmtCommand,
  replay: replayCommand,
  learn: learnCommand,
  report: reportCommand,
};

/**
 * Runs `nexus-policy` with `argv` (the words after the program name) and returns the exit code:
 * 0 ok, 1 a negative answer (deny, change, failure, broken chain), 2 bad input. Usage errors print
 * the usage on stderr; a policy that does not compile prints `file:line:col: code: message` and its
 * snippet. With `--json`, errors are one JSON document `{ "error": { code, message, ... } }` on
 * stdout instead.
 *
 * @example
 * const code = await main(['check', 'recipes/policy'], nodeIo()); // 0
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [word, ...rest] = argv;
  if (word === undefined || word === '--help' || word === '-h') {
    (word === undefined ? io.stderr : io.stdout)(helpText());
    return word === undefined ? 2 : 0;
  }
  if (word === '--version' || word === '-V') return version(io);
  if (word === 'help') return help(rest, io);
  if (!isCommandName(word)) {
    const near = didYouMean(word, COMMAND_NAMES);
    const hint = near === undefined ? '' : ` (did you mean "${near}"?)`;
    io.stderr(`nexus-policy: unknown command ${JSON.stringify(word.slice(0, 64))}${hint}\n\n${helpText()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(helpText(word));
    return 0;
  }
  if (rest.includes('--version') || rest.includes('-V')) return version(io);
  try {
    return await COMMANDS[word](rest, io);
  } catch (error) {
    return report(error, word, rest.includes('--json'), io);
  }
}

function version(io: CliIo): number {
  io.stdout(`nexus-policy ${TOOL_VERSION}\n`);
  return 0;
}

function help(rest: readonly string[], io: CliIo): number {
  const [topic, ...extra] = rest;
  if (topic === undefined) {
    io.stdout(helpText());
    return 0;
  }
  if (!isCommandName(topic) || extra.length > 0) {
    io.stderr(`nexus-policy: no help for "${rest.join(' ').slice(0, 64)}"\n\n${helpText()}`);
    return 2;
  }
  io.stdout(helpText(topic));
  return 0;
}

function report(error: unknown, command: CommandName, json: boolean, io: CliIo): number {
  if (error instanceof PolicyError) {
    const { code, file, line, column } = error;
    if (json) io.stdout(formatJson({ error: { code, file, line, column, message: error.message } }));
    else io.stderr(`${error.message}\n`);
    return 2;
  }
  if (error instanceof CliError) {
    const { code, file, line } = error;
    if (json) io.stdout(formatJson({ error: { code, file, line, message: error.message } }));
    else io.stderr(`nexus-policy: ${error.message}\n${code === 'USAGE' ? `\n${helpText(command)}` : ''}`);
    return 2;
  }
  throw error;
}
