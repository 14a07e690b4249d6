/**
 * The help text of `nexus-policy replay` (kept apart from help-text.ts so the command owns it).
 *
 * @example
 * REPLAY_HELP.startsWith('Usage: nexus-policy replay'); // true
 */
export const REPLAY_HELP = `Usage: nexus-policy replay --policy CANDIDATE_DIR JOURNAL [--key PUBKEY.pem]
                           [--allow-unverified] [--json]

Re-decides every decision record of an audit journal (written by e2e-policy --audit-out) under the
candidate policy with policyd's op semantics (the op's capability and target, policy.delegate for a
sender asking about another subject, restricted targets) and lists what changes, grouped by subject
and action@target: recorded -> candidate decision and reason, count, first and last seq, the
deciding rule in each policy (the record's file:line, the candidate's file:line:col). Each record is
compared with its own recorded outcome, whatever policy version wrote it. The journal is verified
first as audit verify does (--key); a broken journal, and an unverified one unless
--allow-unverified (a warning), is refused with exit 1 before any replay output. Records that cannot
be re-decided are counted and listed apart: not-decoded and unsupported-op (the policy was never
asked), malformed-record, ambiguous-target and no-decision (the candidate's answer is unknown, so
the exit code is 1). --json lists every changed record. Exit 0 nothing changes, 1 a change or an
unknown outcome or a refused journal, 2 a candidate that does not compile or an unreadable file.
`;
