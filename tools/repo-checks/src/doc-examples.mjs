// The `$ command` examples of the Markdown docs: every fenced block line that starts with `$ `
// is a command run from the repository root, followed by what it prints (stdout and stderr,
// interleaved) and a last `[exit N]` line. The doc tests run each one and compare; `npm run
// docs:update` rewrites them from a real run.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The documents whose examples are executed, relative to the repository root: both READMEs and
 * every `docs/*.md`.
 *
 * @example
 * docFiles(root); // ['README.md', 'tools/nexus-policy/README.md', 'docs/ARCHITECTURE.md']
 */
export function docFiles(root) {
  const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).sort();
  return ['README.md', 'tools/nexus-policy/README.md', ...docs.map((name) => `docs/${name}`)];
}

const EXIT_LINE = /^\[exit (\d+)\]$/;

/**
 * Every example of one document: its command, the output and exit code it shows, and where the
 * shown part sits (`start`/`end` line indexes, end exclusive, covering the output and exit lines).
 *
 * @example
 * parseExamples('```\n$ echo hi\nhi\n[exit 0]\n```\n'); // [{ command: 'echo hi', output: 'hi\n', code: 0, line: 2, start: 2, end: 4 }]
 */
export function parseExamples(markdown) {
  const lines = markdown.split('\n');
  const examples = [];
  let fence = null;
  let current = null;
  let block = [];
  // A block is executed only when every one of its commands ends with `[exit N]`: a block where
  // one does not is a shell-session transcript (shared `cd` and variables, `...` elisions) that
  // cannot be replayed command by command, so none of its commands is taken.
  const endBlock = () => {
    if (block.every((e) => e.code !== undefined)) examples.push(...block);
    block = [];
  };
  const close = (end) => {
    if (current === null) return;
    current.end = end;
    // Trailing blank lines separate examples in a block; they are not output.
    while (current.end > current.start && lines[current.end - 1] === '') current.end--;
    const shown = lines.slice(current.start, current.end);
    const exit = shown.length > 0 ? EXIT_LINE.exec(shown[shown.length - 1]) : null;
    current.code = exit === null ? undefined : Number(exit[1]);
    current.output = shown.slice(0, exit === null ? shown.length : -1).map((l) => `${l}\n`).join('');
    block.push(current);
    current = null;
  };
  lines.forEach((text, i) => {
    const marker = /^(```+|~~~+)/.exec(text);
    if (fence === null) {
      if (marker !== null) fence = marker[1];
      return;
    }
    if (marker !== null && text.startsWith(fence) && text.trim() === fence) {
      close(i);
      endBlock();
      fence = null;
      return;
    }
    if (text.startsWith('$ ')) {
      close(i);
      current = { command: text.slice(2), line: i + 1, start: i + 1 };
    }
  });
  return examples;
}

/**
 * The command line as it is run: `npm start` is `scripts/start.mjs`, which builds and then runs
 * `apps/e2e-policy/dist/main.js`; the doc tests build first (their target depends on `^build`),
 * so they run the built app directly and skip the nested build (and npm's `> script` banner).
 * `nexus-policy` resolves through `node_modules/.bin`, as it does for `npx nexus-policy`.
 *
 * @example
 * shellCommand('npm start -- --phase policy'); // 'node apps/e2e-policy/dist/main.js --phase policy'
 */
export function shellCommand(command) {
  const start = /^npm start(?: --)?(?=\s|$)/.exec(command);
  if (start !== null) return `node apps/e2e-policy/dist/main.js${command.slice(start[0].length)}`;
  return command;
}

/**
 * Runs one example from the repository root; its stdout and stderr interleaved, and its exit code.
 *
 * @example
 * runExample(root, 'echo hi'); // { output: 'hi\n', code: 0 }
 */
export function runExample(root, command) {
  const run = spawnSync('bash', ['-c', `{ ${shellCommand(command)}\n} 2>&1`], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 120_000,
    env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, FORCE_COLOR: '0', NO_COLOR: '1', RUN_PHASE: '' },
  });
  if (run.error !== undefined) throw run.error;
  return { output: run.stdout, code: run.status ?? 128 };
}

/**
 * Rewrites every example of the documents with what a real run prints; returns the files changed.
 *
 * @example
 * updateDocs(root); // ['README.md']
 */
export function updateDocs(root, files = docFiles(root)) {
  const changed = [];
  for (const file of files) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    // From the last example up, so earlier line indexes stay valid.
    for (const example of parseExamples(text).reverse()) {
      const { output, code } = runExample(root, example.command);
      const printed = output === '' ? [] : output.split('\n');
      if (output.endsWith('\n')) printed.pop();
      const shown = [...printed, `[exit ${code}]`];
      lines.splice(example.start, example.end - example.start, ...shown);
    }
    const next = lines.join('\n');
    if (next !== text) {
      writeFileSync(path, next);
      changed.push(file);
    }
  }
  return changed;
}
