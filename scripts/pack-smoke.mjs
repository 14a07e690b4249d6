#!/usr/bin/env node
// Proves @nexus/sel is publishable on its own: pack it (and @nexus/ipc, which it depends on for the
// kernel's identity function), check each tarball's file list (dist, LICENSE, package.json; no tests,
// no build info), install both tarballs into an empty folder outside the workspace, and have plain
// Node import it (and its `node` and `analysis` subpaths) and decide. `prepack` builds each package
// first, so a fresh clone works too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'nexus-pack-'));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
try {
  const tarballs = ['libs/ipc', 'libs/nexus-sel'].map((pkg) => {
    // prepack's build chatter comes first on stdout; npm's JSON report is the rest.
    const out = run('npm', ['pack', '--json', '--pack-destination', dir], join(root, pkg));
    const [report] = JSON.parse(out.slice(out.search(/^\[/m)));
    const problems = tarballProblems(report.files.map((f) => f.path));
    if (problems.length > 0) throw new Error(`${report.name} tarball: ${problems.join('; ')}`);
    console.log(`pack smoke: ${report.name} tarball has ${report.files.length} files (dist/index.js, dist/index.d.ts, LICENSE, no tests)`);
    return join(dir, report.filename);
  });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pack-smoke', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--silent', ...tarballs], dir);
  writeFileSync(
    join(dir, 'smoke.mjs'),
    [
      "import { compilePolicy, serviceIdFromName } from '@nexus/sel';",
      "import { loadPolicyDir } from '@nexus/sel/node';",
      "import { capabilitiesOverlap, findNearMisses } from '@nexus/sel/analysis';",
      "const policy = compilePolicy([{ path: 'base.toml', text: '[allow]\\nkeystored = [\"crypto.sign\"]\\n' }]);",
      "const allow = policy.decide({ subject: serviceIdFromName('keystored'), action: 'crypto.sign' });",
      "const deny = policy.decide({ subject: serviceIdFromName('execd'), action: 'crypto.sign' });",
      "if (!allow.allow || deny.allow || deny.reason !== 'no-rule' || typeof loadPolicyDir !== 'function') process.exit(1);",
      "const holders = findNearMisses(policy, { subject: serviceIdFromName('execd'), action: 'crypto.sign' }).holders;",
      "if (!capabilitiesOverlap('crypto.*', 'crypto.sign') || holders[0]?.service !== 'keystored') process.exit(1);",
      "console.log(`pack smoke ok: @nexus/sel decides from a tarball install (${policy.version.slice(0, 15)}…)`);",
    ].join('\n'),
  );
  console.log(run(process.execPath, ['smoke.mjs'], dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** What is wrong with a tarball's file list (empty: nothing). */
function tarballProblems(files) {
  const problems = [];
  for (const needed of ['package.json', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) {
    if (!files.includes(needed)) problems.push(`missing ${needed}`);
  }
  for (const file of files) {
    if (/\.test\.ts$|\.tsbuildinfo$|^node_modules\/|^bench\//.test(file)) problems.push(`should not ship ${file}`);
  }
  return problems;
}
