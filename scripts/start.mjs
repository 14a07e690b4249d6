#!/usr/bin/env node
// `npm start`: build the e2e-policy app and everything it depends on (and the nexus-policy CLI),
// then run its selftest.
// Build chatter is shown only when the build fails, so the console shows the selftest alone.
// Arguments after `npm start --` are passed to the app (e.g. `npm start -- --phase policy`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(root, 'apps', 'e2e-policy');

if (!existsSync(join(app, 'src', 'main.ts'))) {
  console.error('e2e-policy: the selftest app is not written yet (see the open issue for apps/e2e-policy).');
  console.error('Nothing was run, so no proof marker is printed. `npm test` runs the libraries\' tests.');
  process.exit(1);
}

const nx = join(root, 'node_modules', '.bin', 'nx');
// nexus-policy too, so `npx nexus-policy audit verify|report` reads the journal a run wrote (--audit-out).
const build = spawnSync(nx, ['run-many', '-t', 'build', '-p', 'e2e-policy', 'nexus-policy', '--output-style=static'], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
});
if (build.status !== 0) {
  process.stderr.write(build.stdout ?? '');
  process.stderr.write(build.stderr ?? '');
  console.error('e2e-policy: build failed');
  process.exit(2);
}

const run = spawnSync(process.execPath, [join(app, 'dist', 'main.js'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
