import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PACKAGE_ROOT } from '../test-support/run-cli.js';
import * as api from './index.js';

const SRC = join(PACKAGE_ROOT, 'src');

/** Every name `src/index.ts` exports, values and types (types leave no trace at run time). */
function indexExports(): string[] {
  const text = readFileSync(join(SRC, 'index.ts'), 'utf8');
  const names: string[] = [];
  for (const [, list = ''] of text.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const item of list.split(',')) {
      const name = item.trim().replace(/^type\s+/, '');
      if (name !== '') names.push(name);
    }
  }
  return names.sort();
}

/** Every name a module of src/ declares as an export: what the README could name by mistake. */
function moduleExports(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(SRC)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const [, name = ''] of text.matchAll(/^export (?:async )?(?:function|const|class|interface|type|let) ([A-Za-z_$][\w$]*)/gm)) {
      names.add(name);
    }
  }
  return names;
}

/** The leading identifier of every code span in the README's "Library API" section. */
function readmeNames(): Set<string> {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Library API\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const names = new Set<string>();
  for (const span of section.split('`').filter((_, i) => i % 2 === 1)) {
    const name = /^[A-Za-z_$][\w$]*/.exec(span)?.[0];
    if (name !== undefined) names.add(name);
  }
  return names;
}

describe('the README "Library API" list', () => {
  const exported = indexExports();
  const named = readmeNames();

  test('is read from the index as it is (every runtime export is in the parsed list)', () => {
    expect(Object.keys(api).filter((name) => !exported.includes(name))).toEqual([]);
  });

  test('names every export of the index', () => {
    expect(exported.filter((name) => !named.has(name))).toEqual([]);
  });

  test('test_reject_an_internal_export: names no export of a module the index leaves out', () => {
    const internal = [...moduleExports()].filter((name) => !exported.includes(name));
    expect(internal.length).toBeGreaterThan(0);
    expect(internal.filter((name) => named.has(name)).sort()).toEqual([]);
  });
});
