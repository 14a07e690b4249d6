import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { docFiles, parseExamples, runExample, shellCommand } from './doc-examples.mjs';

const ROOT = join(import.meta.dirname, '..', '..', '..');

interface Example {
  command: string;
  output: string;
  code: number | undefined;
  line: number;
}

describe(parseExamples, () => {
  test.each([
    { name: 'one example', md: '```\n$ echo hi\nhi\n[exit 0]\n```\n', out: [{ command: 'echo hi', output: 'hi\n', code: 0 }] },
    {
      name: 'two in one block, blank line between',
      md: '```sh\n$ a\nx\n[exit 1]\n\n$ b\n[exit 0]\n```',
      out: [
        { command: 'a', output: 'x\n', code: 1 },
        { command: 'b', output: '', code: 0 },
      ],
    },
    { name: 'test_reject_transcript: a block where a command has no exit line is not executed', md: '```\n$ cd /tmp\n$ a\nx\n[exit 0]\n```', out: [] },
    { name: 'a $ outside a fence is prose', md: '$ not a command\n```\nplain\n```', out: [] },
    { name: 'a blank line inside the output is output', md: '```\n$ a\nx\n\ny\n[exit 0]\n```', out: [{ command: 'a', output: 'x\n\ny\n', code: 0 }] },
  ])('$name', ({ md, out }) => {
    expect(parseExamples(md).map(({ command, output, code }: Example) => ({ command, output, code }))).toEqual(out);
  });

  test('test_reject_hand_edit: an edited output no longer matches a real run', () => {
    const [example] = parseExamples('```\n$ echo 1\n2\n[exit 0]\n```') as Example[];
    expect(runExample(ROOT, example!.command)).not.toEqual({ output: example!.output, code: example!.code });
  });
});

test.each([
  ['npm start', 'node apps/e2e-policy/dist/main.js'],
  ['npm start -- --phase policy', 'node apps/e2e-policy/dist/main.js --phase policy'],
  ['npm startle', 'npm startle'],
  ['nexus-policy check', 'nexus-policy check'],
])('shellCommand(%s)', (command, shell) => {
  expect(shellCommand(command)).toBe(shell);
});

const withExamples = docFiles(ROOT).filter((file: string) => parseExamples(readFileSync(join(ROOT, file), 'utf8')).length > 0);

describe.each(withExamples)('the examples of %s', (file) => {
  const examples = parseExamples(readFileSync(join(ROOT, file), 'utf8')) as Example[];
  test.each(examples.map((e) => ({ ...e, title: `${file}:${e.line} $ ${e.command.slice(0, 90)}` })))('$title', ({ command, output, code }) => {
    expect(runExample(ROOT, command)).toEqual({ output, code });
  });
});

test('the documents are the READMEs and docs/*.md', () => {
  expect(docFiles(ROOT)).toEqual(expect.arrayContaining(['README.md', 'tools/nexus-policy/README.md', 'docs/ARCHITECTURE.md']));
});

test('the documents hold examples (README, the CLI README)', () => {
  const count = (file: string): number => parseExamples(readFileSync(join(ROOT, file), 'utf8')).length;
  expect(count('README.md')).toBeGreaterThanOrEqual(1);
  expect(count('tools/nexus-policy/README.md')).toBeGreaterThanOrEqual(20);
});
