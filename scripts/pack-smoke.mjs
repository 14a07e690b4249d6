#!/usr/bin/env node
// Proves @nexus/sel is publishable on its own: pack it (and @nexus/ipc, which it depends on for the
// kernel's identity function), install both tarballs into an empty folder outside the workspace,
// and have plain Node import it and decide. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'nexus-pack-'));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
try {
  const tarballs = ['libs/ipc', 'libs/nexus-sel'].map((pkg) =>
    join(dir, run('npm', ['pack', '--silent', '--pack-destination', dir], join(root, pkg)).split('\n').pop()),
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pack-smoke', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--silent', ...tarballs], dir);
  writeFileSync(
    join(dir, 'smoke.mjs'),
    [
      "import { compilePolicy, serviceIdFromName } from '@nexus/sel';",
      "import { loadPolicyDir } from '@nexus/sel/node';",
      "const policy = compilePolicy([{ path: 'base.toml', text: '[allow]\\nkeystored = [\"crypto.sign\"]\\n' }]);",
      "const allow = policy.decide({ subject: serviceIdFromName('keystored'), action: 'crypto.sign' });",
      "const deny = policy.decide({ subject: serviceIdFromName('execd'), action: 'crypto.sign' });",
      "if (!allow.allow || deny.allow || deny.reason !== 'no-rule' || typeof loadPolicyDir !== 'function') process.exit(1);",
      "console.log(`pack smoke ok: @nexus/sel decides from a tarball install (${policy.version.slice(0, 15)}…)`);",
    ].join('\n'),
  );
  console.log(run(process.execPath, ['smoke.mjs'], dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
