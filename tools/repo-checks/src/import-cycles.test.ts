import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { importCycles, packageCycles, relativeImports } from './import-cycles.mjs';

describe(relativeImports, () => {
  const cases: readonly [name: string, source: string, expected: string[]][] = [
    ['a value import', "import { a } from './a.js';", ['./a.js']],
    ['a type-only import', "import type { A } from '../a.js';", ['../a.js']],
    ['a re-export', "export { a } from './a.js';", ['./a.js']],
    ['a dynamic import', "const m = await import('./lazy.js');", ['./lazy.js']],
    ['package and node imports are not relative', "import { x } from '@nexus/sel';\nimport 'node:fs';", []],
    ['an import in a comment or a string is not one', "// import { a } from './a.js';\nconst s = \"import './b.js'\";", []],
  ];
  for (const [name, source, expected] of cases) {
    test(name, () => {
      expect(relativeImports(source)).toEqual(expected);
    });
  }
});

describe(importCycles, () => {
  const cases: readonly [name: string, graph: Record<string, string[]>, expected: string[][]][] = [
    ['none', { a: ['b'], b: ['c'], c: [] }, []],
    ['two modules', { a: ['b'], b: ['a'], c: ['a'] }, [['a', 'b']]],
    ['a module importing itself', { a: ['a'] }, [['a']]],
    ['a triangle and a separate pair', { a: ['b'], b: ['c'], c: ['a'], x: ['y'], y: ['x'] }, [['a', 'b', 'c'], ['x', 'y']]],
    ['an edge to a module outside the graph', { a: ['z'] }, []],
  ];
  for (const [name, graph, expected] of cases) {
    test(name, () => {
      expect(importCycles(graph)).toEqual(expected);
    });
  }

  test('agrees with a naive reachability reference on random graphs', () => {
    const graphArb = fc
      .integer({ min: 1, max: 8 })
      .chain((n) => fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 3 }), { minLength: n, maxLength: n }));
    fc.assert(
      fc.property(graphArb, (edges) => {
        const graph = Object.fromEntries(edges.map((to, i) => [`m${i}`, to.map((t) => `m${t}`)]));
        const reaches = (from: string, to: string): boolean => {
          const seen = new Set<string>();
          const todo = [...(graph[from] ?? [])];
          while (todo.length > 0) {
            const next = todo.pop() as string;
            if (next === to) return true;
            if (seen.has(next)) continue;
            seen.add(next);
            todo.push(...(graph[next] ?? []));
          }
          return false;
        };
        const inCycle = Object.keys(graph).filter((m) => reaches(m, m)).sort();
        expect(importCycles(graph).flat().sort()).toEqual(inCycle);
      }),
      { numRuns: 500 },
    );
  });

  test('a chain of 20,000 modules does not overflow the stack', () => {
    const graph = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`m${i}`, i === 19_999 ? ['m0'] : [`m${i + 1}`]]));
    expect(importCycles(graph)[0]).toHaveLength(20_000);
  });
});

describe(packageCycles, () => {
  test('finds a type-only cycle through .js specifiers and ignores tests', () => {
    const root = mkdtempSync(join(tmpdir(), 'cycles-'));
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src/main.ts'), "import { run } from './command.js';\nexport interface Io { x: number }\n");
    writeFileSync(join(root, 'src/command.ts'), "import type { Io } from './main.js';\nexport function run(io: Io): number { return io.x; }\n");
    writeFileSync(join(root, 'src/main.test.ts'), "import { run } from './command.js';\nimport './main.js';\n");
    writeFileSync(join(root, 'src/leaf.ts'), "import { run } from './command.js';\n");
    expect(packageCycles(root, root)).toEqual([['src/command.ts', 'src/main.ts']]);
  });
});
