import { CommandArgs } from './command-args.js';
import { hexU64 } from '@nexus/ipc';
import type { CliIo } from './cli-io.js';
import { printable } from './printable.js';
import { shadowReport, type ShadowDirection, type ShadowGroup } from './shadow-report.js';
import { asciiJson } from './ascii-json.js';
import { readVerifiedJournal } from './verified-journal.js';

const HEADINGS: Readonly<Record<ShadowDirection, string>> = {
  'allow->deny': 'allow -> deny (the candidate would refuse)',
  'deny->allow': 'deny -> allow (the candidate would grant)',
  reason: 'same decision, other reason',
};

function groupLine(g: ShadowGroup): string {
  const query = `${printable(g.action)}${g.target === undefined ? '' : `@${printable(g.target)}`}`;
  const sender = g.senderId === g.subjectId ? '' : ` (asked by ${hexU64(g.senderId)})`;
  const seqs = g.firstSeq === g.lastSeq ? `first seq ${g.firstSeq}` : `first seq ${g.firstSeq}, last ${g.lastSeq}`;
  return (
    `  ${g.rule === undefined ? '(no rule)' : printable(g.rule)}  ${hexU64(g.subjectId)}${sender} ${query}: ` +
    `${g.recorded.decision} (${g.recorded.reason}) -> ${g.shadow.decision} (${g.shadow.reason})  x${g.count}, ${seqs}\n`
  );
}

/**
 * `nexus-policy audit shadow JOURNAL [--key PUBKEY.pem] [--allow-unverified]`: verifies the journal
 * as `replay` does, then prints the divergences its records carry from a shadow evaluation
 * (`npm start -- --shadow DIR`): per recorded rule, allow → deny and deny → allow (and same
 * decision with another reason), with counts and first seq. Exit 0 when no record diverges, 1 when
 * some do or the journal is refused, 2 for an unreadable file. Every journal field is escaped.
 *
 * @example
 * await auditShadowCommand(['audit.journal', '--key', 'audit-key.pem'], io); // 1 when a candidate would have refused something
 */
export async function auditShadowCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse('audit shadow', argv, { key: { type: 'string' }, 'allow-unverified': { type: 'boolean' } }, { min: 1, max: 1 });
  const journal = args.positionals[0] ?? '';
  const read = await readVerifiedJournal('audit shadow', journal, args.string('key'), args.flag('allow-unverified'), args.json, io);
  if (!read.ok) return read.code;
  const report = shadowReport(read.entries);
  const code = report.divergent === 0 ? 0 : 1;
  if (args.json) {
    io.stdout(asciiJson({ journal, ok: code === 0, verification: read.verdict, warnings: read.warnings, ...report }));
    return code;
  }
  let out =
    `shadow ${printable(journal)}: ${read.summary}\n` +
    `decision records: ${report.decisions}, diverging under the shadow: ${report.divergent}` +
    `${report.candidates.length === 0 ? ' (no shadow decision recorded)' : ` (candidate ${report.candidates.map(printable).join(', ')})`}\n`;
  let direction: ShadowDirection | undefined;
  for (const g of report.groups) {
    if (g.direction !== direction) {
      direction = g.direction;
      out += `${HEADINGS[direction]}: ${report.groups.filter((x) => x.direction === direction).reduce((n, x) => n + x.count, 0)}\n`;
    }
    out += groupLine(g);
  }
  io.stdout(out);
  return code;
}
