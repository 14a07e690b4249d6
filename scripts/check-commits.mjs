#!/usr/bin/env node
// Every commit after the convention's cut-off is a Conventional Commit with a project scope
// (`type(scope): summary`), so `nx release` can version the packages from the history. Offline:
// reads `git log` and the workspace package.json files. Merge commits are not checked.
//   node scripts/check-commits.mjs            # the commits after the cut-off, up to HEAD
//   node scripts/check-commits.mjs A..B       # the commits CI was given
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subjectProblem } from '../tools/repo-checks/src/commit-message.mjs';

// The last commit written before the convention was adopted.
const CUT_OFF = 'fefaf3b';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const range = process.argv[2] ?? `${CUT_OFF}..HEAD`;

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
let log;
try {
  log = git('log', '--no-merges', '--format=%H%x09%s', range, '--');
} catch (error) {
  console.error(`check-commits: git cannot list ${range} (a shallow clone without the cut-off ${CUT_OFF}?): ${String(error.stderr ?? error).trim()}`);
  process.exit(2);
}

const projects = ['recipes'];
for (const glob of JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces) {
  const dir = join(root, glob.replace('/*', ''));
  for (const entry of readdirSync(dir)) {
    const manifest = join(dir, entry, 'package.json');
    if (existsSync(manifest)) projects.push(JSON.parse(readFileSync(manifest, 'utf8')).nx?.name ?? entry);
  }
}

const commits = log.split('\n').filter((line) => line !== '');
const bad = [];
for (const line of commits) {
  const [hash, subject] = line.split('\t');
  const problem = subjectProblem(subject ?? '', projects);
  if (problem !== undefined) bad.push(`  ${hash} ${subject}\n    ${problem}`);
}
if (bad.length > 0) {
  console.error(`check-commits: ${bad.length} of ${commits.length} commit(s) in ${range} are not Conventional Commits with a project scope:`);
  for (const line of bad) console.error(line);
  process.exit(1);
}
console.log(`check-commits: ${commits.length} commit(s) in ${range} ok`);
