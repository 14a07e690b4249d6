import fc from 'fast-check';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { SourceIndex } from './source-index.js';

const text = [
  '# comment with [brackets] and "quotes"', // 1
  '[allow]', // 2
  'keystored = ["crypto.sign", "ipc.core"]', // 3
  '"demo.testsvc" = [', // 4
  '  "a", # "not a value"', // 5
  "  'b\"c',", // 6
  '  """multi', // 7
  'line""",', // 8
  '  "d\\"e",', // 9
  ']', // 10
  '[ deny ]', // 11
  "'*' = []", // 12
  'restrict = 1', // 13
].join('\n');

const cases: ReadonlyArray<readonly [(string | number)[], number, number]> = [
  [['allow'], 2, 1],
  [['allow', 'keystored'], 3, 1],
  [['allow', 'keystored', 0], 3, 14],
  [['allow', 'keystored', 1], 3, 29],
  [['allow', 'demo.testsvc'], 4, 1],
  [['allow', 'demo.testsvc', 0], 5, 3],
  [['allow', 'demo.testsvc', 1], 6, 3],
  [['allow', 'demo.testsvc', 2], 7, 3],
  [['allow', 'demo.testsvc', 3], 9, 3],
  [['allow', 'missing', 0], 2, 1],
  [['deny', '*'], 12, 1],
  [['deny', 'restrict'], 13, 1],
  [['nowhere'], 1, 1],
];

describe(SourceIndex, () => {
  const index = new SourceIndex(text);
  for (const [path, line, column] of cases) {
    it(JSON.stringify(path), () => {
      expect(index.positionOf(path)).toEqual({ line, column });
    });
  }

  it('inline tables and dotted keys', () => {
    const inline = new SourceIndex('allow = { a = ["x"], "b" = ["y", "z"] }\ndeny.c = ["w"]\n');
    expect(inline.positionOf(['allow', 'b', 1])).toEqual({ line: 1, column: 34 });
    expect(inline.positionOf(['deny', 'c', 0])).toEqual({ line: 2, column: 11 });
  });

  it('never throws and stays inside the text on any TOML document', () => {
    const value = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 4 }), fc.integer());
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.dictionary(fc.string({ maxLength: 8 }), value)), (doc) => {
        const lines: string[] = [];
        for (const [table, entries] of Object.entries(doc)) {
          lines.push(`[${JSON.stringify(table)}]`);
          for (const [key, v] of Object.entries(entries)) lines.push(`${JSON.stringify(key)} = ${JSON.stringify(v)}`);
        }
        const source = lines.join('\n');
        try {
          parse(source);
        } catch {
          return;
        }
        const scanned = new SourceIndex(source);
        for (const [table, entries] of Object.entries(doc)) {
          for (const key of Object.keys(entries)) {
            const offset = scanned.offsetOf([table, key, 0]);
            expect(offset === undefined || (offset >= 0 && offset <= source.length)).toBe(true);
          }
        }
      }),
    );
  });
});
