#!/usr/bin/env node
// Invariant 2: only policyd decides. No service package other than policyd may depend on
// @nexus/sel, directly or through another workspace package. Read from the Nx project graph (the
// same graph `nx affected` uses), plus a scan of each service's sources for the import itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EVALUATOR = 'sel';
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
    for (const source of walk(join(root, 'src'))) {
      if (/['"]@nexus\/sel(\/[^'"]*)?['"]/.test(readFileSync(source, 'utf8'))) {
        offenders.push(`${source}: imports @nexus/sel`);
      }
    }
  }
  if (!services.includes(AUTHORITY)) offenders.push(`no ${AUTHORITY} project in the graph`);
  if (offenders.length > 0) {
    console.error('Only policyd may depend on @nexus/sel (invariant 2):');
    for (const line of offenders) console.error(`  ${line}`);
    process.exit(1);
  }
  console.log(`boundaries ok: ${services.length} services checked, only ${AUTHORITY} reaches @nexus/sel`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function* walk(path) {
  let entries;
  try {
    entries = readdirSync(path);
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = join(path, entry);
    if (statSync(full).isDirectory()) yield* walk(full);
    else if (full.endsWith('.ts')) yield full;
  }
}
