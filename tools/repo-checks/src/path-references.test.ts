import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ownerOf, referencesIn, stringLiterals, undeclared } from './path-references.mjs';

const PROJECTS = [
  { name: 'recipes', root: 'recipes' },
  { name: 'ipc', root: 'libs/ipc' },
  { name: 'cli', root: 'tools/cli' },
  { name: 'root', root: '.' },
];

describe(stringLiterals, () => {
  test.each([
    { source: "a('x'); b(\"y\")", values: ['x', 'y'] },
    { source: "// 'comment'\n'code'", values: ['code'] },
    { source: "/* 'block'\n */ 'after'", values: ['after'] },
    { source: 'const r = /don\'t/; f(\'real\')', values: ['real'] },
    { source: 'x = a / b; y = \'s\'', values: ['s'] },
    { source: '`static/${expr(\'inner\')}/tail`', values: ['static/', '/tail'] },
    { source: "'it\\'s'", values: ["it's"] },
  ])('$source', ({ source, values }) => {
    expect(stringLiterals(source).map((l: { value: string }) => l.value)).toEqual(values);
  });

  test('lines are counted across comments and template literals', () => {
    expect(stringLiterals("/*\n*/\n`a\nb`\n'c'").map((l: { line: number }) => l.line)).toEqual([3, 5]);
  });
});

describe(ownerOf, () => {
  test.each([
    ['recipes/policy/base.toml', 'recipes'],
    ['libs/ipc/src/kernel.ts', 'ipc'],
    ['libs/ipcx/src/a.ts', undefined],
    ['README.md', undefined],
  ])('%s -> %s', (path, owner) => {
    expect(ownerOf(path, PROJECTS)).toBe(owner);
  });
});

describe(referencesIn, () => {
  const refs = (source: string): unknown[] =>
    referencesIn('tools/cli/src/a.test.ts', source, 'cli', PROJECTS).map((r: { literal: string; target: string }) => [r.literal, r.target]);

  test.each([
    { name: 'a repo-rooted policy path', source: "load('recipes/policy', { cwd: ROOT })", found: [['recipes/policy', 'recipes']] },
    { name: 'a relative path that leaves the project', source: "new URL('../../../recipes/policy', import.meta.url)", found: [['../../../recipes/policy', 'recipes']] },
    { name: 'a relative import of another project', source: "import { x } from '../../../libs/ipc/src/x.js'", found: [['../../../libs/ipc/src/x.js', 'ipc']] },
    { name: 'a path inside the project', source: "read('../fixtures/a.toml'); import('./b.js')", found: [] },
    { name: 'a package import', source: "import { Kernel } from '@nexus/ipc'", found: [] },
    { name: 'a comment', source: "// reads recipes/policy\n/* 'recipes/policy' */", found: [] },
    { name: 'a sentence', source: "test('recipes/policy compiles', f)", found: [] },
    { name: 'a marked label', source: "// check-boundaries: not-a-path\nconst rule = 'recipes/policy/a.toml:3';", found: [] },
    { name: 'a path outside every project', source: "read('docs/ARCHITECTURE.md')", found: [] },
  ])('$name', ({ source, found }) => {
    expect(refs(source)).toEqual(found);
  });
});

describe(undeclared, () => {
  const ref = { from: 'cli', file: 'tools/cli/src/a.test.ts', line: 1, literal: 'recipes/policy', target: 'recipes' };

  test('test_reject_undeclared: a reference with no dependency and no input is reported', () => {
    expect(undeclared([ref], { cli: ['ipc'] }, { cli: ['default'] }, PROJECTS)).toEqual([ref]);
  });

  test('a graph dependency (static or implicit) declares it', () => {
    expect(undeclared([ref], { cli: ['recipes'] }, {}, PROJECTS)).toEqual([]);
  });

  test('a {workspaceRoot} input over the target declares it', () => {
    expect(undeclared([ref], {}, { cli: ['{workspaceRoot}/recipes/**/*'] }, PROJECTS)).toEqual([]);
  });

  test('test_reject_wrong_input: an input over another folder does not', () => {
    expect(undeclared([ref], {}, { cli: ['{workspaceRoot}/recipes-old/**/*'] }, PROJECTS)).toEqual([ref]);
  });
});

describe('npm run check:boundaries on this repository', () => {
  test('passes: every cross-project path is declared', () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    const out = execFileSync(process.execPath, ['scripts/check-boundaries.mjs'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/^inputs ok: \d+ cross-project path reference\(s\)/m);
  });
});
