#!/usr/bin/env node
// Affected-correctness proof: in a scratch copy of the tracked files, make a small real change to a
// policy file, to libs/nexus-sel/src and to a service source, one at a time; after each, run
// (without the cache) the tests of every project `nx show projects --affected` does NOT list. Any
// of them failing means the graph missed an edge: `nx affected -t test` would have reported green
// for a change that breaks it. Prints what it changed, what was affected and what failed.
//   node scripts/check-affected.mjs                 # all three changes
//   node scripts/check-affected.mjs --only policy   # one (policy, sel, service)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The changes: a file, the text it holds and the text that replaces it. */
const CHANGES = [
  { id: 'policy', file: 'recipes/policy/base.toml', from: 'updated = ["crypto.verify", "ipc.core"]', to: 'updated = ["crypto.verify", "ipc.core", "crypto.sign"]', what: 'grant crypto.sign to updated' },
  { id: 'sel', file: 'libs/nexus-sel/src/policy-version.ts', from: "'nexus-sel/1'", to: "'nexus-sel/2'", what: 'change the policy version domain (every version hash)' },
  { id: 'service', file: 'services/logd/src/logd-server.ts', from: "[LO_JOURNAL.GENERAL]: 'log.read',\n  [LO_JOURNAL.AUDIT]: 'audit.read',", to: "[LO_JOURNAL.GENERAL]: 'audit.read',\n  [LO_JOURNAL.AUDIT]: 'log.read',", what: 'swap the read capabilities of the two journals' },
];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt < 0 ? undefined : (process.argv[onlyAt + 1] ?? '').split(',');
const selected = CHANGES.filter((c) => only === undefined || only.includes(c.id));
if (selected.length === 0) {
  console.error(`check-affected: --only takes ${CHANGES.map((c) => c.id).join(', ')}`);
  process.exit(2);
}

const env = { ...process.env, CI: 'true', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };
const scratch = mkdtempSync(join(tmpdir(), 'nexus-affected-'));
const sh = (cmd, args, cwd = scratch) => execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
let violations = 0;
try {
  // The tracked files as they are in this checkout (edits included), as one commit.
  for (const file of sh('git', ['ls-files', '-z'], root).split('\0').filter(Boolean)) {
    if (!existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    cpSync(join(root, file), join(scratch, file));
  }
  // Installed packages (relative workspace links resolve inside the copy) and the builds, so
  // tests that load dist/ run as they would after `npm run build`.
  cpSync(join(root, 'node_modules'), join(scratch, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  for (const group of ['libs', 'services', 'apps', 'tools']) {
    for (const pkg of readdirSync(join(scratch, group))) {
      for (const dir of ['node_modules', 'dist']) {
        const from = join(root, group, pkg, dir);
        if (existsSync(from)) cpSync(from, join(scratch, group, pkg, dir), { recursive: true, verbatimSymlinks: true });
      }
    }
  }
  sh('git', ['init', '-q', '-b', 'main']);
  sh('git', ['add', '-A']);
  sh('git', ['-c', 'user.name=check-affected', '-c', 'user.email=check-affected@localhost', 'commit', '-q', '-m', 'chore(repo): scratch']);
  const everyProject = JSON.parse(sh('npx', ['nx', 'show', 'projects', '--with-target', 'test', '--json']));

  for (const change of selected) {
    sh('git', ['checkout', '-q', '--', '.']);
    const path = join(scratch, change.file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(change.from)) throw new Error(`${change.file} no longer holds ${change.from}: update CHANGES`);
    writeFileSync(path, text.replace(change.from, change.to));
    const affected = JSON.parse(sh('npx', ['nx', 'show', 'projects', '--affected', '--base=HEAD', '--json']));
    const unaffected = everyProject.filter((p) => !affected.includes(p)).sort();
    console.log(`\n== ${change.id}: ${change.file}: ${change.what}`);
    console.log(`affected (${affected.length}): ${[...affected].sort().join(', ')}`);
    const failed = [];
    for (const project of unaffected) {
      const run = spawnSync('npx', ['nx', 'run', `${project}:test`, '--skip-nx-cache', '--output-style=static'], { cwd: scratch, env, encoding: 'utf8', maxBuffer: 64 << 20 });
      if (run.status !== 0) failed.push(project);
    }
    console.log(`not affected, tests run without the cache (${unaffected.length}): ${unaffected.join(', ') || '-'}`);
    console.log(`failed although not affected: ${failed.join(', ') || 'none'}`);
    violations += failed.length;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (violations > 0) {
  console.error(`\ncheck-affected: FAIL: ${violations} project(s) break under a change nx affected does not list: declare the dependency`);
  process.exit(1);
}
console.log(`\ncheck-affected: ok: no project outside the affected set fails (${selected.map((c) => c.id).join(', ')})`);
