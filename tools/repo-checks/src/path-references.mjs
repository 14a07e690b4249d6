// Finds where a project's files name a path of another project. A test that reads
// `recipes/policy` (or `../../libs/x/...`) depends on those files, so the Nx graph must know it:
// otherwise `nx affected` skips the test and the cache replays an old pass after the file changed.
import { posix } from 'node:path';

/** The marker that exempts one line (a string that looks like a path but is never read). */
export const IGNORE_MARKER = 'check-boundaries: not-a-path';

/**
 * The string literals of a JS/TS source (quotes, double quotes, the static parts of template
 * literals), with their 1-based line, skipping comments and regular-expression literals.
 *
 * @example
 * stringLiterals("const a = 'x'; // 'y'"); // [{ value: 'x', line: 1 }]
 */
export function stringLiterals(source) {
  const out = [];
  let line = 1;
  let i = 0;
  let prev = ''; // last significant character, to tell a regex `/` from a division
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      i += 2;
      while (i < n && !(source[i] === '*' && source[i + 1] === '/')) {
        if (source[i] === '\n') line++;
        i++;
      }
      i += 2;
      continue;
    }
    if (c === '/' && (prev === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prev) || /return$|typeof$/.test(source.slice(Math.max(0, i - 7), i).trimEnd()))) {
      // A regular expression literal: skip to its closing slash (classes may hold a slash).
      i++;
      let inClass = false;
      while (i < n && source[i] !== '\n') {
        const r = source[i];
        if (r === '\\') i += 2;
        else {
          if (r === '[') inClass = true;
          else if (r === ']') inClass = false;
          else if (r === '/' && !inClass) break;
          i++;
        }
      }
      i++;
      prev = '/';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const startLine = line;
      let value = '';
      i++;
      while (i < n && source[i] !== c) {
        const s = source[i];
        if (s === '\\') {
          value += source[i + 1] ?? '';
          i += 2;
          continue;
        }
        if (c === '`' && s === '$' && source[i + 1] === '{') {
          // End of a static part: skip the expression to its matching brace.
          out.push({ value, line: startLine });
          value = '';
          let depth = 0;
          while (i < n) {
            if (source[i] === '{') depth++;
            else if (source[i] === '}' && --depth === 0) break;
            else if (source[i] === '\n') line++;
            i++;
          }
          i++;
          continue;
        }
        if (s === '\n') {
          if (c !== '`') break;
          line++;
        }
        value += s;
        i++;
      }
      i++;
      out.push({ value, line: startLine });
      prev = c;
      continue;
    }
    if (!/\s/.test(c)) prev = c;
    i++;
  }
  return out;
}

/**
 * The project a path (relative to the workspace root) belongs to: the one with the longest root
 * that contains it, or undefined.
 *
 * @example
 * ownerOf('recipes/policy/base.toml', [{ name: 'recipes', root: 'recipes' }]); // 'recipes'
 */
export function ownerOf(path, projects) {
  let best;
  for (const project of projects) {
    if (project.root === '.' || project.root === '') continue;
    if (path === project.root || path.startsWith(`${project.root}/`)) {
      if (best === undefined || project.root.length > best.root.length) best = project;
    }
  }
  return best?.name;
}

/**
 * Every reference from `file` (a workspace-relative path inside project `from`) to a path of
 * another project: a literal that starts with another project's root (`recipes/policy`, read
 * relative to the repository root), or a relative literal (`../../../recipes/policy`) that
 * resolves, from the file's folder, into another project.
 *
 * @example
 * referencesIn('tools/x/src/a.test.ts', "load('recipes/policy')", 'x', projects);
 * // [{ from: 'x', file: 'tools/x/src/a.test.ts', line: 1, literal: 'recipes/policy', target: 'recipes' }]
 */
export function referencesIn(file, source, from, projects) {
  const lines = source.split('\n');
  const found = [];
  for (const { value, line } of stringLiterals(source)) {
    if (value.length === 0 || value.length > 512 || /\s/.test(value.trim()) || value.startsWith('@')) continue;
    const marked = [lines[line - 1], lines[line - 2]].some((text) => text?.includes(IGNORE_MARKER));
    if (marked) continue;
    let path;
    if (value.startsWith('../') || value.startsWith('./')) path = posix.normalize(posix.join(posix.dirname(file), value));
    else if (/^[a-z][\w.-]*\//i.test(value)) path = posix.normalize(value);
    else continue;
    if (path.startsWith('../')) continue;
    const target = ownerOf(path.replace(/\/$/, ''), projects);
    if (target === undefined || target === from) continue;
    found.push({ from, file, line, literal: value, target });
  }
  return found;
}

/**
 * The references not covered by a declaration: `dependencies[from]` (the Nx graph's edges, static
 * or implicit) must hold the target, or one of `inputs[from]` (the test target's inputs) must be
 * a `{workspaceRoot}/…` glob over the target's root.
 *
 * @example
 * undeclared(refs, { x: [] }, { x: [] }, projects); // every ref of x
 */
export function undeclared(references, dependencies, inputs, projects) {
  return references.filter((ref) => {
    const from = ref.from;
    if ((dependencies[from] ?? []).includes(ref.target)) return false;
    const root = projects.find((p) => p.name === ref.target)?.root ?? '';
    return !(inputs[from] ?? []).some((input) => typeof input === 'string' && input.startsWith(`{workspaceRoot}/${root}/`));
  });
}
