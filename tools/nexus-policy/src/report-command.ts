import { resolve } from 'node:path';
import { auditKeyId, verifyJournal, type JournalVerdict } from '@nexus/audit';
import { serviceIdFromName } from '@nexus/sel';
import { CliError } from './cli-error.js';
import { CommandArgs } from './command-args.js';
import { formatVerdict } from './format-verdict.js';
import { measureCoverage } from './coverage.js';
import { FIXTURE_LIMITS, parseFixtures } from './fixture-file.js';
import { formatJson } from './format-json.js';
import { readJournalFile, readKey } from './journal-input.js';
import { lintPolicy } from './lint-policy.js';
import { DEFAULT_POLICY_DIR, loadPolicy } from './load-policy.js';
import type { CliIo } from './cli-io.js';
import { printable } from './printable.js';
import { renderReport, type ReportCoverage, type ReportJournal } from './report-html.js';
import { buildPolicyMatrix } from './report-matrix.js';
import { aggregateTimeline } from './report-timeline.js';
import { TOOL_VERSION } from './tool-version.js';

/**
 * `nexus-policy report [--policy DIR] [--journal FILE] [--key PUBKEY.pem] [--fixtures F] -o OUT`:
 * writes one self-contained HTML file with the policy matrix and lint warnings, the audit timeline
 * with its verification verdict (the same `verifyJournal` as `audit verify`; without `--key` the
 * journal shows as UNVERIFIED), and fixture coverage. Prints one line naming the file, the policy
 * version and the journal's verdict. Exit 0 when the report was written (whatever the verdict: it
 * is in the report), 2 for bad input.
 *
 * @example
 * await reportCommand(['--journal', 'audit.journal', '--key', 'audit-key.pem', '-o', 'report.html'], io); // 0
 */
export async function reportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse(
    'report',
    argv,
    {
      policy: { type: 'string' },
      journal: { type: 'string' },
      key: { type: 'string' },
      fixtures: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    { min: 0, max: 0 },
  );
  const output = args.required('report', 'output');
  const dir = args.string('policy') ?? DEFAULT_POLICY_DIR;
  const journalPath = args.string('journal');
  const keyPath = args.string('key');
  const fixturesPath = args.string('fixtures');
  if (keyPath !== undefined && journalPath === undefined) throw new CliError('USAGE', 'report: --key needs --journal');
  if (io.writeFile === undefined) throw new CliError('IO', 'report: this environment cannot write files');

  const policy = await loadPolicy(dir, io);
  const lint = lintPolicy(policy);
  const publicKey = keyPath === undefined ? undefined : await readKey(keyPath, io);

  let journal: ReportJournal | undefined;
  if (journalPath !== undefined) {
    const { entries, bad } = await readJournalFile(journalPath, io);
    const verdict: JournalVerdict =
      bad === undefined
        ? verifyJournal(entries, publicKey === undefined ? {} : { publicKey })
        : { status: 'broken', kind: 'bad-record', line: bad.line, seq: 0n, detail: bad.detail };
    journal = {
      path: journalPath,
      verdict,
      verdictText: formatVerdict(printable(journalPath), verdict),
      keyId: publicKey === undefined ? undefined : Buffer.from(auditKeyId(publicKey)).toString('hex'),
      timeline: aggregateTimeline(entries, policy),
    };
  }

  let coverage: ReportCoverage | undefined;
  if (fixturesPath !== undefined) {
    const cases = parseFixtures(await io.readFile(resolve(io.cwd, fixturesPath), FIXTURE_LIMITS.maxBytes), fixturesPath);
    const decisions = cases.map((c) => ({ c, d: policy.decide({ subject: serviceIdFromName(c.subject), action: c.action, target: c.target }) }));
    const failed = decisions.filter(({ c, d }) => (d.allow ? 'allow' : 'deny') !== c.expect || (c.reason !== undefined && c.reason !== d.reason)).length;
    const shadowed = new Map<number, string>();
    for (const w of lint) if (w.kind === 'shadowed-grant' || w.kind === 'duplicate-grant') shadowed.set(w.rule.id, `cannot be exercised: ${w.message}`);
    coverage = { path: fixturesPath, cases: cases.length, failed, coverage: measureCoverage(policy.rules, decisions.map(({ d }) => d.rule)), shadowed };
  }

  const html = renderReport({
    tool: `nexus-policy ${TOOL_VERSION}`,
    policyDir: dir,
    version: policy.version,
    ruleCount: policy.rules.length,
    matrix: buildPolicyMatrix(policy),
    lint,
    journal,
    coverage,
  });
  await io.writeFile(resolve(io.cwd, output), html);
  const status = journal === undefined ? 'none' : journal.verdict.status;
  if (args.json) {
    io.stdout(formatJson({ output, bytes: Buffer.byteLength(html), version: policy.version, journal: status, records: journal?.timeline.records ?? 0 }));
    return 0;
  }
  const verdict = journal === undefined ? 'no journal' : `journal ${printable(journalPath ?? '')}: ${status === 'ok' ? 'verified' : status.toUpperCase()} (${journal.timeline.records} records)`;
  io.stdout(`report ${printable(output)}: policy ${policy.version}, ${verdict}\n`);
  return 0;
}
