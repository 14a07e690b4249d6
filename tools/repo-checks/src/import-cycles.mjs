// Import cycles inside one package: two modules that import each other (even for a type only)
// are one concept split in two, or a shared type living in the wrong file. The project graph only
// sees package-to-package edges, so this reads each package's own relative imports.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The relative module specifiers a TS/JS source imports or re-exports (static, type-only and
 * `import()` with a literal), read by TypeScript's own pre-processor, so comments and strings that
 * look like imports are not taken.
 *
 * @example
 * relativeImports("import type { A } from './a.js';\nimport 'node:fs';"); // ['./a.js']
 */
export function relativeImports(source) {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((file) => file.fileName)
    .filter((name) => name.startsWith('./') || name.startsWith('../'));
}

/**
 * The strongly connected groups of more than one module (or a module importing itself) in a graph
 * of `{ [module]: [imported module, ...] }`, each sorted, found with Tarjan's algorithm.
 *
 * @example
 * importCycles({ a: ['b'], b: ['a'], c: ['a'] }); // [['a', 'b']]
 */
export function importCycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  let next = 0;
  const visit = (start) => {
    // Iterative, so a long chain of modules cannot overflow the call stack.
    const work = [[start, 0]];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, at] = frame;
      const edges = graph[node] ?? [];
      if (at < edges.length) {
        frame[1]++;
        const to = edges[at];
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push([to, 0]);
        } else if (onStack.has(to)) {
          low.set(node, Math.min(low.get(node), index.get(to)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const group = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          group.push(member);
        } while (member !== node);
        if (group.length > 1 || edges.includes(node)) cycles.push(group.sort());
      }
    }
  };
  for (const node of Object.keys(graph).sort()) if (!index.has(node)) visit(node);
  return cycles.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const SOURCE = /\.(ts|mts|mjs|js)$/;
const TEST = /\.(test|spec|bench)\.[cm]?[jt]s$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'out-tsc', '.nx']);

/**
 * The import cycles among the non-test sources under `root/src` of one package, as paths
 * relative to `base`. `./x.js` resolves to `x.ts` when that is the file that exists.
 *
 * @example
 * packageCycles('tools/nexus-policy', '.'); // [] when the package has none
 */
export function packageCycles(root, base) {
  const files = [...walk(join(root, 'src'))];
  const known = new Set(files.map((file) => resolve(file)));
  const graph = {};
  for (const file of files) {
    const from = relative(base, file);
    graph[from] = relativeImports(readFileSync(file, 'utf8'))
      .map((specifier) => resolveModule(resolve(dirname(file), specifier), known))
      .filter((target) => target !== undefined)
      .map((target) => relative(base, target));
  }
  return importCycles(graph);
}

function resolveModule(path, known) {
  const candidates = [path, path.replace(/\.js$/, '.ts'), path.replace(/\.mjs$/, '.mts'), `${path}.ts`, join(path, 'index.ts')];
  return candidates.find((candidate) => known.has(candidate));
}

function* walk(path) {
  let entries;
  try {
    entries = readdirSync(path);
  } catch {
    return;
  }
  for (const entry of entries.sort()) {
    if (SKIP_DIRS.has(entry)) continue;
    const full = join(path, entry);
    if (statSync(full).isDirectory()) yield* walk(full);
    else if (SOURCE.test(entry) && !TEST.test(entry) && !entry.endsWith('.d.ts')) yield full;
  }
}
