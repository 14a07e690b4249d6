// Conventional Commits with a project scope, so `nx release` can version each package from its
// history. Only the subject line is checked; the body is free.

/** Commit types `nx release` understands (feat → minor, fix/perf → patch, `!` → major). */
export const COMMIT_TYPES = ['feat', 'fix', 'perf', 'refactor', 'test', 'docs', 'build', 'ci', 'chore', 'style', 'revert'];

/** Scopes that are not a project: the whole repository, and the RFCs under docs/rfcs. */
export const EXTRA_SCOPES = ['repo', 'rfc'];

const SUBJECT = /^(?<type>[a-z]+)\((?<scope>[^()\s]+)\)(?<breaking>!)?: (?<summary>\S.*)$/;
const MAX_SUBJECT = 400;

/**
 * What is wrong with one commit subject, or undefined when it is a Conventional Commit whose scope
 * is a project (or `repo` / `rfc`). A scope may list several projects: `fix(ipc,policyd): …`.
 *
 * @example
 * subjectProblem('fix(ipc): re-arm after a throw', ['ipc']); // undefined
 * subjectProblem('ipc: re-arm after a throw', ['ipc']);      // 'not "type(scope): summary"'
 */
export function subjectProblem(subject, projects) {
  if (subject.length > MAX_SUBJECT) return `subject longer than ${MAX_SUBJECT} characters`;
  const match = SUBJECT.exec(subject);
  if (match === null) return 'not "type(scope): summary"';
  const { type, scope } = match.groups;
  if (!COMMIT_TYPES.includes(type)) return `unknown type "${type}" (types: ${COMMIT_TYPES.join(', ')})`;
  const known = new Set([...projects, ...EXTRA_SCOPES]);
  const unknown = scope.split(',').filter((s) => !known.has(s));
  if (unknown.length > 0) return `unknown scope "${unknown.join(',')}" (a project name, or ${EXTRA_SCOPES.join(' / ')})`;
  return undefined;
}
