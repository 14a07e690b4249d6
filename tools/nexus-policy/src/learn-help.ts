/**
 * The help text of `nexus-policy learn` (kept apart from help-text.ts so the command owns it).
 *
 * @example
 * LEARN_HELP.startsWith('Usage: nexus-policy learn'); // true
 */
export const LEARN_HELP = `Usage: nexus-policy learn JOURNAL [--policy DIR] [--ceiling DIR] [-o FILE] [--key PUBKEY.pem]
                          [--allow-unverified] [--json]

Proposes the grants that would allow the default denies (no-rule) observed in an audit journal, as
a TOML patch for the policy folder: exactly the observed (subject, action[@target]) pairs, one array
item per pair with its count, first/last seq and op as a comment. Each record is re-decided under
the policy (DIR, default recipes/policy) as replay does; a pair is refused, listed as a comment and
never granted, when it is not an exact capability (a wildcard, an undeclared capability), a [deny]
rule covers it, it is an identity mismatch or malformed, policy.delegate, its subject or target has
no name, it lies outside the --ceiling policy (an untargeted grant must stay inside the ceiling for
every target it would reach), or its target is [restrict]ed and the ceiling does not grant it by
name (without --ceiling, every restricted target is refused). learn never edits a policy: the patch
goes to stdout, or to -o FILE (not inside DIR or the ceiling). The journal is verified first as
replay does (--key; --allow-unverified). Exit 0 a patch was produced (even an empty one), 1 a refused
journal, 2 a policy or ceiling that does not compile (file:line:col) or an unreadable file.
`;
