import type { LearnedGrant, LearnRefusal, LearnReport, Observed } from './learn-journal.js';
import { printable } from './printable.js';

/** Where a learn patch came from, for its header comment. */
export interface LearnPatchSource {
  readonly journal: string;
  /** How the journal was verified, e.g. `journal ok (63 records, verified through seq 87)`. */
  readonly verified: string;
  readonly policyDir: string;
  readonly policyVersion: string;
  readonly ceilingDir?: string | undefined;
  readonly ceilingVersion?: string | undefined;
}

function seqText(o: Observed): string {
  return o.firstSeq === o.lastSeq ? `seq ${o.firstSeq}` : `seq ${o.firstSeq}..${o.lastSeq}`;
}

/** The comment after a grant: count (how many were learn-mode would-denies), first/last seq and the ops that asked. */
function grantComment(g: LearnedGrant): string {
  const learned = g.wouldDeny === 0 ? '' : ` (${g.wouldDeny === g.count ? 'all' : g.wouldDeny} would-deny)`;
  return `x${g.count}${learned}, ${seqText(g)}, op ${g.ops.join(',')}`;
}

/**
 * A refused pair as one comment line. Every journal-derived field goes through `printable`, so a
 * newline or control byte in a recorded capability cannot end the comment and inject TOML.
 */
function refusalComment(r: LearnRefusal): string {
  const subject = r.service ?? `0x${r.subjectId.toString(16).padStart(16, '0')}`;
  const query = `${r.action}${r.target === undefined ? '' : `@${r.target}`}`;
  const rule = r.rule === undefined ? '' : ` (${r.rule.file}:${r.rule.line}:${r.rule.column})`;
  return printable(`#   ${subject} ${JSON.stringify(query)}  x${r.count}, ${seqText(r)}, op ${r.ops.join(',')}: ${r.kind}: ${r.detail}${rule}`);
}

/**
 * The learn patch: a TOML file for `recipes/policy` whose `[allow]` table grants exactly the
 * learned pairs, one array item per grant with its count, first/last seq and op as a trailing
 * comment; the refused pairs follow as comments (never as rules). Keys and items are sorted (the
 * report's order), so the same journal and policies give the same bytes. Names are `[a-z0-9._-]`
 * (the learner refuses anything else), so `JSON.stringify` spells them as TOML basic strings.
 *
 * @example
 * formatLearnPatch(report, { journal: 'audit.journal', verified: 'journal ok', policyDir: 'recipes/policy', policyVersion });
 * // '# nexus-policy learn: …\n[allow]\n"selftest-client" = [\n  "crypto.sign", # x1, seq 25, op check_cap_delegated\n]\n'
 */
export function formatLearnPatch(report: LearnReport, source: LearnPatchSource): string {
  const ceiling =
    source.ceilingDir === undefined ? 'none (restricted targets are refused)' : `${printable(source.ceilingDir)} (${printable(source.ceilingVersion ?? '')})`;
  let out =
    `# nexus-policy learn: ${report.grants.length} grant(s) for the default denies observed in ${printable(source.journal)}\n` +
    `# (${printable(source.verified)}; ${report.observed} observed default deny record(s)). For review: add this\n` +
    `# file to the policy folder to apply it; learn never edits a policy.\n` +
    `# policy: ${printable(source.policyDir)} (${printable(source.policyVersion)})\n` +
    `# ceiling: ${ceiling}\n`;
  if (report.grants.length > 0) {
    out += '\n[allow]\n';
    let service: string | undefined;
    for (const g of report.grants) {
      if (g.service !== service) {
        if (service !== undefined) out += ']\n';
        out += `${JSON.stringify(g.service)} = [\n`;
        service = g.service;
      }
      out += `  ${JSON.stringify(g.pattern)}, # ${grantComment(g)}\n`;
    }
    out += ']\n';
  }
  if (report.refused.length > 0) {
    out += `\n# refused, not granted (${report.refused.length}):\n`;
    for (const r of report.refused) out += `${refusalComment(r)}\n`;
  }
  if (report.alreadyAllowed.length > 0) {
    out += `\n# allowed by the policy by now, nothing to grant (${report.alreadyAllowed.length}):\n`;
    for (const a of report.alreadyAllowed) {
      const query = `${a.action}${a.target === undefined ? '' : `@${a.target}`}`;
      out += `${printable(`#   ${a.service ?? `0x${a.subjectId.toString(16).padStart(16, '0')}`} ${JSON.stringify(query)}  x${a.count}, ${seqText(a)}`)}\n`;
    }
  }
  return out;
}
