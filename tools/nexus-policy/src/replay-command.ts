import {
  verifyJournal,
  type JournalVerdict,
} from '@nexus/audit';
import type { Policy } from '@nexus/sel';
import { formatVerdict } from './format-verdict.js';
import { CommandArgs } from './command-args.js';
import { loadPolicy } from './load-policy.js';
import type { CliIo } from './cli-io.js';
import { readJournalFile, readKey } from './journal-input.js';
import { printable } from './printable.js';
import { isUnknownOutcome, replayJournal, type ChangeGroup, type ReplayReport } from './replay-journal.js';
import { ruleJson, ruleLocation } from './rule-location.js';
import { asciiJson } from './ascii-json.js';
import { subjectText } from './subject-text.js';

/** Bounds a key file (a few hundred bytes). */

function groupText(g: ChangeGroup, candidate: Policy): string {
  const query = `${printable(g.action)}${g.target === undefined ? '' : `@${printable(g.target)}`}`;
  const sender = g.senderId === g.subjectId ? '' : ` (asked by ${subjectText(g.senderId, candidate)})`;
  const newSubject = g.now.subjectId === g.subjectId ? '' : ` for ${subjectText(g.now.subjectId, candidate)}`;
  const seqs = g.firstSeq === g.lastSeq ? `seq ${g.firstSeq}` : `seq ${g.firstSeq}..${g.lastSeq}`;
  return (
    `  ${subjectText(g.subjectId, candidate)}${sender} ${query}: ${g.old.decision} (${g.old.reason}) -> ${g.now.decision} (${g.now.reason})${newSubject}` +
    `  x${g.count}, ${seqs}\n` +
    `      recorded: ${g.old.rule === undefined ? '-' : printable(g.old.rule)} under ${printable(g.policyVersion)}\n` +
    `      candidate: ${g.now.rule === undefined ? '-' : printable(ruleLocation(g.now.rule))}\n`
  );
}

function skippedText(report: ReplayReport): string {
  if (report.skipped.length === 0) return '';
  const byKind = new Map<string, { count: number; first: bigint; last: bigint; detail: string; unknown: boolean }>();
  for (const s of report.skipped) {
    const key = `${s.kind}: ${s.detail}`;
    const seen = byKind.get(key);
    if (seen === undefined) byKind.set(key, { count: 1, first: s.seq, last: s.seq, detail: s.detail, unknown: isUnknownOutcome(s.kind) });
    else byKind.set(key, { ...seen, count: seen.count + 1, last: s.seq });
  }
  let out = 'not re-decided:\n';
  for (const [key, v] of byKind) {
    const seqs = v.first === v.last ? `seq ${v.first}` : `seq ${v.first}..${v.last}`;
    out += `  ${printable(key)}  x${v.count}, ${seqs}${v.unknown ? '  (outcome under the candidate unknown)' : ''}\n`;
  }
  return out;
}

function reportText(journal: string, dir: string, candidate: Policy, verified: string, report: ReplayReport): string {
  const unknown = report.skipped.filter((s) => isUnknownOutcome(s.kind)).length;
  let out =
    `replay ${printable(journal)} under ${printable(dir)} (${candidate.version}): ${verified}\n` +
    `decision records: ${report.decisions} (recorded under ${report.versions.map(printable).join(', ') || 'no policy'}), ` +
    `unchanged: ${report.unchanged}, changed: ${report.changes.length}, not re-decided: ${report.skipped.length}` +
    `${unknown === 0 ? '' : ` (${unknown} of unknown outcome)`}\n`;
  if (report.groups.length > 0) {
    out += 'changes (subject action@target: recorded -> candidate):\n';
    for (const g of report.groups) out += groupText(g, candidate);
  }
  return out + skippedText(report);
}

function reportJson(journal: string, dir: string, candidate: Policy, verdict: JournalVerdict, warnings: readonly string[], report: ReplayReport, code: number): unknown {
  return {
    journal,
    candidate: { dir, version: candidate.version },
    ok: code === 0,
    verification: verdict,
    warnings,
    decisions: report.decisions,
    versions: report.versions,
    unchanged: report.unchanged,
    changed: report.changes.length,
    groups: report.groups.map((g) => ({ ...g, now: { ...g.now, rule: ruleJson(g.now.rule) } })),
    changes: report.changes.map((c) => ({
      seq: c.seq,
      line: c.line,
      subjectId: c.record.subjectId,
      senderId: c.record.senderId,
      claimedId: c.record.claimedId,
      op: c.record.op,
      action: c.record.action,
      target: c.record.target,
      policyVersion: c.record.policyVersion,
      old: { decision: c.record.decision, reason: c.record.reason, rule: c.record.rule },
      now: { decision: c.now.decision, reason: c.now.reason, subjectId: c.now.subjectId, rule: ruleJson(c.now.rule) },
    })),
    skipped: report.skipped.map((s) => ({ seq: s.seq, line: s.line, kind: s.kind, unknownOutcome: isUnknownOutcome(s.kind), detail: s.detail, op: s.record.op, reason: s.record.reason })),
  };
}

/** Why the journal is refused: `audit verify`'s text for a break, replay's own flags for the rest. */
function refusalText(path: string, verdict: JournalVerdict): string {
  if (verdict.status !== 'unverified') return formatVerdict(path, verdict);
  const hint = verdict.reason === 'no-trust-anchor' ? ' (give --key PUBKEY.pem)' : '';
  return `journal ${path}: UNVERIFIED: ${printable(verdict.detail)}${hint}\nrecords: ${verdict.records}, verified through seq ${verdict.verifiedThrough}, unsealed: ${verdict.tail}\n`;
}

/**
 * `nexus-policy replay --policy CANDIDATE_DIR JOURNAL [--key PUBKEY.pem] [--allow-unverified]`:
 * verifies the journal as `audit verify` does (refusing a broken one, and an unverified one unless
 * `--allow-unverified`, with exit 1 before any replay output), compiles the candidate, re-decides
 * every decision record under it with policyd's op semantics (`replayJournal`) and prints the
 * changes grouped by subject and action@target, then the records it could not re-decide. Exit 0
 * when no decision changes and no outcome is unknown, 1 otherwise, 2 for a candidate that does not
 * compile (file:line:col) or a file that cannot be read. Every journal field is escaped.
 *
 * @example
 * await replayCommand(['--policy', 'candidate', 'audit.journal', '--key', 'audit-key.pem'], io); // 1 when a grant the journal used is gone
 */
export async function replayCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse(
    'replay',
    argv,
    { policy: { type: 'string' }, key: { type: 'string' }, 'allow-unverified': { type: 'boolean' } },
    { min: 1, max: 1 },
  );
  const dir = args.required('replay', 'policy');
  const journal = args.positionals[0] ?? '';
  const keyPath = args.string('key');
  const allowUnverified = args.flag('allow-unverified');
  const publicKey = keyPath === undefined ? undefined : await readKey(keyPath, io);
  const candidate = await loadPolicy(dir, io);
  const { entries, bad } = await readJournalFile(journal, io);
  const verdict: JournalVerdict =
    bad === undefined
      ? verifyJournal(entries, { ...(publicKey === undefined ? {} : { publicKey }), allowUnsealedTail: false, allowUnsigned: false })
      : { status: 'broken', kind: 'bad-record', line: bad.line, seq: 0n, detail: bad.detail };
  const warnings: string[] = [];
  if (verdict.status === 'broken' || (verdict.status === 'unverified' && !allowUnverified)) {
    const hint = verdict.status === 'unverified' ? 'replay: refused (--allow-unverified replays it unproved)\n' : 'replay: refused\n';
    if (args.json) io.stdout(asciiJson({ journal, ok: false, refused: true, verification: verdict }));
    else io.stderr(refusalText(printable(journal), verdict) + hint);
    return 1;
  }
  if (verdict.status === 'unverified') {
    warnings.push(`journal is UNVERIFIED (${verdict.reason}): the replay shows what the file says, not what was decided`);
    if (!args.json) io.stderr(`warning: ${printable(warnings[0] ?? '')}\n`);
  } else {
    warnings.push(...verdict.warnings);
    for (const w of verdict.warnings) if (!args.json) io.stderr(`warning: ${printable(w)}\n`);
  }
  const report = replayJournal(entries, candidate);
  const unknown = report.skipped.some((s) => isUnknownOutcome(s.kind));
  const code = report.changes.length === 0 && !unknown ? 0 : 1;
  if (args.json) {
    io.stdout(asciiJson(reportJson(journal, dir, candidate, verdict, warnings, report, code)));
    return code;
  }
  const verified =
    verdict.status === 'ok'
      ? `journal ok (${verdict.records} records, verified through seq ${verdict.verifiedThrough})`
      : `journal UNVERIFIED (${verdict.reason})`;
  io.stdout(reportText(journal, dir, candidate, verified, report));
  return code;
}
