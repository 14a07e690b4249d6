import { describe, expect, test } from 'vitest';
import { starExports } from './star-exports.mjs';

describe(starExports, () => {
  const cases: readonly [name: string, source: string, expected: { line: number; specifier: string }[]][] = [
    ['named re-exports only', "export { a } from './a.js';\nexport { type B } from './b.js';", []],
    ['test_reject_star_export', "export { a } from './a.js';\nexport * from './b.js';", [{ line: 2, specifier: './b.js' }]],
    ['test_reject_type_star_export', "export type * from './types.js';", [{ line: 1, specifier: './types.js' }]],
    ['test_reject_namespace_star_export', "export * as wire from './wire.js';", [{ line: 1, specifier: './wire.js' }]],
    ['a star export in a line comment is not one', "// export * from './a.js';", []],
    ['a star export in a block comment is not one', "/*\nexport * from './a.js';\n*/\nexport { b } from './b.js';", []],
  ];
  for (const [name, source, expected] of cases) {
    test(name, () => {
      expect(starExports(source)).toEqual(expected);
    });
  }
});
