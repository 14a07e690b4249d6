import { LEARN_HELP } from './learn-help.js';
import { REPLAY_HELP } from './replay-help.js';
import { REPORT_HELP } from './report-help.js';

/** The commands `nexus-policy` understands (`audit` takes a subcommand). */
export type CommandName = 'check' | 'explain' | 'diff' | 'test' | 'audit' | 'fmt' | 'replay' | 'learn' | 'report';

const EXIT_CODES = `Exit codes:
  0  ok: compiles / allowed / no change / all fixtures pass / chain verifies
  1  a negative answer: denied / decisions change / a fixture or coverage fails / chain broken
     or unverified
  2  bad input: unknown command or flag, policy that does not compile, unreadable file
`;

const COMMAND_HELP: Readonly<Record<CommandName, string>> = {
  check: `Usage: nexus-policy check [DIR] [--json]

Compiles every *.toml of DIR (default: recipes/policy) and prints the policy version and a summary.
Compile errors print as file:line:col: code: message with a snippet (exit 2). Lint warnings
(shadowed-grant, duplicate-grant, dead-deny, unrestricted-name, unrestricted-install, near-name,
learn-mode) print as file:line:col: warning: kind: message and do not change the exit code.
unrestricted-name: a service with grants that [restrict] "bundle.install" does not list, so a
bundle could be installed under its name and inherit them. unrestricted-install: no [restrict]
"bundle.install" while some service may install bundles without naming a target. near-name: a
subject one typo away from one written earlier (keystord beside keystored). learn-mode: a service a
[mode] table puts in learn mode (its default denies are answered ALLOW and recorded as would-denies).
`,
  explain: `Usage: nexus-policy explain --subject NAME --action CAP [--target T] [DIR] [--json]

Prints the decision for one query, its reason and the rule that decided it (file:line:col). For a
default deny (no-rule) it lists the nearest misses: the subject's other grants (closest first), the
services that hold the capability, and a hint when the target is restricted. The subject's kernel id
is FNV-1a 64 of NAME, shown as 0x<16 hex>. Exit 0 allow, 1 deny, 2 bad input.
`,
  diff: `Usage: nexus-policy diff OLD_DIR NEW_DIR [--json]

Prints every decision that differs between two policies, exactly: every service named in either
(and * for all others) x every capability named in either and the rest of every wildcard family
(CAP.*) x no target and every named target. One line per service, change and action:
  + allow SERVICE ACTION [except @{T,...}]   newly allowed (for every target but those listed)
  + allow SERVICE ACTION@{T,...}             newly allowed for those targets only
  - allow ...                                no longer allowed
  ~ reason ...: OLD → NEW                    same decision, different reason
--json lists every query class singly. Exit 0 when nothing changes, 1 when something does.
`,
  test: `Usage: nexus-policy test FIXTURES... [--policy DIR] [--coverage-of FILE] [--min-coverage N]
                                   [--json]
       nexus-policy test FIXTURES.toml DIR [...]

Runs decision fixtures ([[case]] tables with subject, action, optional target, expect = allow|deny,
optional reason = allow|no-rule|deny-rule|malformed) against the policy in DIR (default
recipes/policy) and prints failures and per-rule coverage (rules that decided at least one case).
FIXTURES are files or folders (a folder stands for its *.toml, sorted); a last folder without
[[case]] tables is the policy (the older form). A fixture file without a case is an error.
--coverage-of FILE counts only the rules of that policy file (as typed or relative to DIR).
--min-coverage N (a decimal percent, e.g. 90 or 99.5) fails when covered*100 < N*total, computed
exactly. Exit 0 all pass, 1 a failure or coverage below N, 2 bad input.
`,
  fmt: `Usage: nexus-policy fmt [--check|--write] [DIR|FILE...] [--json]

Puts policy files (default: the *.toml of recipes/policy) in their canonical layout, keeping every
comment: tables in the order [allow], [deny], [restrict]; keys and array items sorted; arrays on one
line up to 100 columns, one item per line beyond; at most one blank line. Formatting never changes
the policy (the compiled version must stay the same). --check (the default) prints a diff of every
file that is not formatted and exits 1 if any; --write rewrites them and exits 0.
`,
  audit: `Usage: nexus-policy audit verify FILE [--key PUBKEY.pem] [--checkpoint FILE]
                                 [--allow-unsealed-tail] [--allow-unsigned] [--uart FILE] [--json]
       nexus-policy audit show FILE [--subject NAME|0xHEX] [--decision allow|deny] [--policy DIR]
                               [--json]
       nexus-policy audit shadow FILE [--key PUBKEY.pem] [--allow-unverified] [--json]
       nexus-policy audit export --format otlp [--endpoint URL | -o FILE] [--device ID]
                                 [--policy DIR] [--batch N] [--retries N] [--backoff-ms MS] FILE

FILE may also be a logd state dir (logd --state-dir): each boot in it is read (nothing repaired)
and verified on its own; a corruption logd's recovery reports is a warning and exit 1. --uart FILE
merges the serial line's records (e2e-policy --uart-out) into the journal or boot they continue.

verify: checks an audit journal (written by e2e-policy --audit-out) against a trust anchor it does
not contain: the audit key (--key, SPKI PEM) or a checkpoint obtained elsewhere (--checkpoint).
ok only when every record up to the last seal chains (every gap a declared, bridged run), every
seal verifies under the key and links to the one before. Records after the last seal are an
unsealed tail: UNVERIFIED unless --allow-unsealed-tail. Without --key or --checkpoint the journal is
UNVERIFIED (no trust anchor) unless --allow-unsigned, which prints a warning. A break is printed
with its class (gap, prev-mismatch, hash-mismatch, reorder, duplicate, truncated, lost-range,
bad-record, bad-seal, foreign-boot, seal-gap, checkpoint-mismatch), line and seq. Exit 0 verified,
1 broken, unparsable or unverified, 2 usage error or a file that cannot be read.
show: prints the records as a table (seq, time, op, subject, action, target, decision, reason,
rule); every byte that is not printable ASCII is escaped (\\xNN, \\u{N}). Subjects are named from
the policy in --policy DIR (default recipes/policy), and a record decided under that very policy
shows its rule as file:line:col with its text.
shadow: the divergences a shadow evaluation (npm start -- --shadow DIR) recorded, per recorded rule:
allow -> deny, deny -> allow and same decision with another reason, with counts and first seq; the
journal is verified first as replay does. Exit 0 no divergence, 1 some (or a refused journal).
export: every record as an OpenTelemetry log record (resource: nexus.device.id, nexus.boot.id;
attributes nexus.audit.*: subject id and name, sender, action, target, decision, reason, rule,
policy version, seq, hash; body: the record's journal line, so the copy stays verifiable). Without
--endpoint: OTLP/JSON, one ExportLogsServiceRequest per line, to stdout or -o FILE. With --endpoint
(an OTLP/HTTP collector, e.g. http://127.0.0.1:4318): POSTed in batches of --batch (512), each
retried --retries times (4) with doubling backoff from --backoff-ms (500); exit 1 when a batch is
not delivered (nothing after it is sent).
`,
  replay: REPLAY_HELP,
  learn: LEARN_HELP,
  report: REPORT_HELP,
};

/**
 * The help text of one command, or the overview of all commands when `command` is undefined.
 * Every text ends with the exit codes.
 *
 * @example
 * helpText();          // 'Usage: nexus-policy <command> ...'
 * helpText('explain'); // 'Usage: nexus-policy explain --subject NAME ...'
 */
export function helpText(command?: CommandName): string {
  if (command !== undefined) return `${COMMAND_HELP[command]}\n${EXIT_CODES}`;
  return `Usage: nexus-policy <command> [options]

Tools for Nexus OS policy authors and audit reviewers.

Commands:
  check [DIR]                                  compile and lint a policy folder
  explain --subject NAME --action CAP [--target T] [DIR]
                                               why is this allowed or denied?
  diff OLD_DIR NEW_DIR                         which decisions does a change alter?
  test FIXTURES... [--policy DIR]              run decision fixtures, report rule coverage
  audit verify FILE --key PUBKEY.pem           verify an audit journal's chain and seals
  audit show FILE [--subject S] [--decision D] print audit records as a table
  audit shadow FILE --key PUBKEY.pem           what would the shadow policy have decided otherwise?
  audit export --format otlp [--endpoint URL] FILE  audit records as OpenTelemetry logs
  fmt [--check|--write] [DIR|FILE...]          canonical layout of policy files
  replay --policy DIR JOURNAL --key PEM        what would a candidate policy have changed?
  learn JOURNAL [--ceiling DIR] [-o FILE]      propose the grants observed denies needed
  report [--journal F --key PEM] -o OUT.html   one HTML file: policy matrix, audit timeline, coverage
  help [COMMAND]                               this text, or a command's help

Every command takes --json (one JSON document on stdout) and --help; --version prints the version.
DIR defaults to recipes/policy, relative to the current directory.

${EXIT_CODES}`;
}

/**
 * Narrows a word typed by the user to a command name.
 *
 * @example
 * isCommandName('diff'); // true
 * isCommandName('rm');   // false
 */
export function isCommandName(word: string): word is CommandName {
  return Object.hasOwn(COMMAND_HELP, word);
}

/**
 * Every command name, for "did you mean" hints.
 *
 * @example
 * COMMAND_NAMES.includes('check'); // true
 */
export const COMMAND_NAMES: readonly CommandName[] = Object.freeze(Object.keys(COMMAND_HELP) as CommandName[]);
