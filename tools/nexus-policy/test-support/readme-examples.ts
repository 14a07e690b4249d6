import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './run-cli.js';

/** One `$ command` example of the CLI README: the command, what it prints and its exit code. */
export interface ReadmeExample {
  readonly command: string;
  readonly output: string;
  readonly code: number;
}

/**
 * The `$ command` examples of the CLI README between the heading that starts with `from` and the
 * heading `to` (default: the next `## ` heading), for tests that run them in-process.
 *
 * @example
 * readmeExamples('## replay').length; // 4
 */
export function readmeExamples(from: string, to?: string): ReadmeExample[] {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(from);
  const section = readme.slice(start, to === undefined ? readme.indexOf('\n## ', start + 1) : readme.indexOf(to, start));
  const examples: ReadmeExample[] = [];
  for (const block of section.split('```').filter((_, i) => i % 2 === 1)) {
    for (const chunk of block.split(/^\$ /m).slice(1)) {
      const [command = '', ...rest] = chunk.split('\n');
      const exit = rest.findIndex((l) => /^\[exit \d+\]$/.test(l));
      examples.push({ command, output: rest.slice(0, exit).map((l) => `${l}\n`).join(''), code: Number(/\d+/.exec(rest[exit] ?? '')?.[0]) });
    }
  }
  return examples;
}
