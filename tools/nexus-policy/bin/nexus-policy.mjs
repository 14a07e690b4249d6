#!/usr/bin/env node
// The `nexus-policy` bin. Committed (not built) so `npm ci` links it before any build: without a
// linked bin, `npx nexus-policy` would fall back to the public registry and run whatever is
// published under that name. It loads the built CLI, and when there is no build it says so and
// exits 2 (usage/environment error) instead of fetching anything.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

if (!existsSync(cli)) {
  process.stderr.write('nexus-policy is not built: run `npm run build`\n');
  process.exit(2);
}
await import(pathToFileURL(cli).href);
