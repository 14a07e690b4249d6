/**
 * The help text of `nexus-policy report` (kept apart from help-text.ts so the command owns it).
 *
 * @example
 * REPORT_HELP.startsWith('Usage: nexus-policy report'); // true
 */
export const REPORT_HELP: string = `Usage: nexus-policy report [--policy DIR] [--journal FILE] [--key PUBKEY.pem] [--fixtures F.toml]
                           -o OUT.html [--json]

Writes one self-contained HTML file (inline CSS, SVG and script; a Content-Security-Policy that
allows no request; works from file:// and printed):
- the policy (DIR, default recipes/policy) as a services x capabilities matrix, families collapsed
  (click to expand), each cell allow / deny rule / restricted (only named targets) / no rule, with
  the deciding rule and file:line:col on hover or focus; the policy version; lint warnings;
- with --journal, the audit trail: the verification verdict at the top (as audit verify decides it:
  verified under --key, or UNVERIFIED and why), decisions per subject over seq with names resolved
  from the policy, denies in red and grouped in a table, bands for UART periods and declared losses,
  sealed and unsealed checkpoints marked. Aggregated (bounded bins, top subjects, grouped denies),
  so 10^5 records stay usable. Every journal field is escaped;
- with --fixtures, which rules the decision fixtures exercise, which not and why.
Prints one line naming the file, the policy version and the journal's verdict. Exit 0 when the
report was written (the verdict is in it), 2 for bad input.
`;
