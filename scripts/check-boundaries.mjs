#!/usr/bin/env node
// Invariant 2: only policyd decides. No service package other than policyd may depend on
// @nexus/sel, directly or through another workspace package. Read from the Nx project graph (the
// same graph `nx affected` uses), plus a scan of each service's sources for the import itself.
// And true inputs: a project whose code or tests name a path of another project (`recipes/policy`,
// `../../libs/x/...`) must declare it (a graph dependency, e.g. `implicitDependencies`, or a
// `{workspaceRoot}/...` test input), so `nx affected` and the cache key see an edit there.
// And no import cycle inside a package (type-only imports included), and no `export *` in a
// package's index (named exports only: the public surface is read in one place).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { packageCycles } from '../tools/repo-checks/src/import-cycles.mjs';
import { referencesIn, undeclared } from '../tools/repo-checks/src/path-references.mjs';
import { starExports } from '../tools/repo-checks/src/star-exports.mjs';

const EVALUATOR = 'sel';
const TS = /\.ts$/;
const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
// bench/ is neither source nor test: bench targets are not cached and not part of `nx affected -t test`.
const SKIP_DIRS = new Set(['node_modules', 'dist', 'out-tsc', '.nx', 'bench']);
const AUTHORITY = 'policyd';

const dir = mkdtempSync(join(tmpdir(), 'nexus-graph-'));
const file = join(dir, 'graph.json');
try {
  execFileSync('npx', ['nx', 'graph', `--file=${file}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const { graph } = JSON.parse(readFileSync(file, 'utf8'));
  const services = Object.values(graph.nodes)
    .filter((node) => node.data.root.startsWith('services/'))
    .map((node) => node.name);

  const reaches = (from, target, seen = new Set()) => {
    if (from === target) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return (graph.dependencies[from] ?? []).some((edge) => reaches(edge.target, target, seen));
  };

  const offenders = [];
  for (const service of services) {
    if (service === AUTHORITY) continue;
    if (reaches(service, EVALUATOR)) offenders.push(`${service}: depends on @nexus/sel in the project graph`);
    const root = graph.nodes[service].data.root;
    for (const source of walk(join(root, 'src'), TS)) {
      if (/['"]@nexus\/sel(\/[^'"]*)?['"]/.test(readFileSync(source, 'utf8'))) {
        offenders.push(`${source}: imports @nexus/sel`);
      }
    }
  }
  if (!services.includes(AUTHORITY)) offenders.push(`no ${AUTHORITY} project in the graph`);

  const projects = Object.values(graph.nodes).map((node) => ({ name: node.name, root: node.data.root }));
  const references = [];
  for (const { name, root } of projects) {
    if (root === '.' || root === '') continue;
    for (const file of walk(root, CODE)) {
      const rel = relative('.', file).split('\\').join('/');
      references.push(...referencesIn(rel, readFileSync(file, 'utf8'), name, projects));
    }
  }
  const dependencies = Object.fromEntries(
    Object.entries(graph.dependencies).map(([from, edges]) => [from, edges.map((edge) => edge.target)]),
  );
  const inputs = Object.fromEntries(
    Object.values(graph.nodes).map((node) => [node.name, (node.data.targets?.test?.inputs ?? []).filter((i) => typeof i === 'string')]),
  );
  const missing = undeclared(references, dependencies, inputs, projects);
  const cycles = projects.filter(({ root }) => root !== '.' && root !== '').flatMap(({ name, root }) => packageCycles(root, '.').map((group) => ({ name, group })));
  const indexes = projects.filter(({ root }) => root !== '.' && root !== '').map(({ name, root }) => ({ name, file: join(root, 'src', 'index.ts') })).filter(({ file }) => statSync(file, { throwIfNoEntry: false })?.isFile() === true);
  const stars = indexes.flatMap(({ name, file }) => starExports(readFileSync(file, 'utf8')).map((s) => ({ name, file, ...s })));

  if (offenders.length > 0) {
    console.error('Only policyd may depend on @nexus/sel (invariant 2):');
    for (const line of offenders) console.error(`  ${line}`);
  }
  if (missing.length > 0) {
    console.error('Undeclared inputs: these files name a path of another project the graph does not know about;');
    console.error('add it to the project\'s nx.implicitDependencies (or a {workspaceRoot}/... test input):');
    for (const ref of missing) console.error(`  ${ref.file}:${ref.line}: "${ref.literal}" is in ${ref.target}, not a dependency of ${ref.from}`);
  }
  if (cycles.length > 0) {
    console.error('Import cycles inside a package (move the shared piece into a module of its own):');
    for (const { name, group } of cycles) console.error(`  ${name}: ${group.join(' <-> ')}`);
  }
  if (stars.length > 0) {
    console.error('A package index re-exports a whole module (name each export instead):');
    for (const { file, line, specifier } of stars) console.error(`  ${file}:${line}: export * from '${specifier}'`);
  }
  if (offenders.length > 0 || missing.length > 0 || cycles.length > 0 || stars.length > 0) process.exit(1);
  console.log(`boundaries ok: ${services.length} services checked, only ${AUTHORITY} reaches @nexus/sel`);
  console.log(`inputs ok: ${references.length} cross-project path reference(s) in ${projects.length} projects, all declared`);
  console.log(`cycles ok: no import cycle inside any of ${projects.length} projects`);
  console.log(`exports ok: ${indexes.length} package indexes name every export`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function* walk(path, pattern) {
  let entries;
  try {
    entries = readdirSync(path);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (SKIP_DIRS.has(entry)) continue;
    const full = join(path, entry);
    if (statSync(full).isDirectory()) yield* walk(full, pattern);
    else if (pattern.test(full)) yield full;
  }
}
