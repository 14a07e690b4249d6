#!/usr/bin/env node
// `npm run docs:update`: after a build, runs every `$ command` example of the docs (README.md,
// tools/nexus-policy/README.md, docs/*.md) and rewrites its output and `[exit N]` with what the run
// printed. The doc tests (tools/repo-checks) fail until the docs match a real run again.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docFiles, updateDocs } from '../tools/repo-checks/src/doc-examples.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const changed = updateDocs(root);
console.log(changed.length === 0 ? `docs up to date: ${docFiles(root).join(', ')}` : `docs updated: ${changed.join(', ')}`);
