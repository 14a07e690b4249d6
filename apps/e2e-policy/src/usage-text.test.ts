import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseArgs } from './parse-args.js';
import { PHASE_NAMES } from './phase-name.js';
import { runMain } from './run-main.js';
import type { SelftestIo } from './run-selftest.js';
import { usageText, wantsHelp } from './usage-text.js';

/** Every `--flag` literal in parse-args.ts: the flags the parser knows. */
function parserFlags(): string[] {
  const source = readFileSync(join(import.meta.dirname, 'parse-args.ts'), 'utf8');
  return [...new Set([...source.matchAll(/'(--[a-z][a-z-]*)'/g)].map((m) => m[1] ?? ''))].sort();
}

function captureIo(): SelftestIo & { lines: string[]; files: string[] } {
  const lines: string[] = [];
  const files: string[] = [];
  return {
    lines,
    files,
    print: (line: string): void => {
      lines.push(line);
    },
    writeFile: async (path: string): Promise<void> => {
      files.push(path);
    },
  };
}

describe('selftest usage', () => {
  test('the parser knows the documented options', () => {
    expect(parserFlags()).toEqual(expect.arrayContaining(['--audit-out', '--json', '--phase', '--policy', '--uart-out']));
  });

  test.each(parserFlags())('usage lists %s', (flag) => {
    expect(usageText()).toMatch(new RegExp(`^  ${flag}[ ,]`, 'm'));
  });

  test('every phase is named in the usage', () => {
    for (const phase of PHASE_NAMES) expect(usageText()).toContain(phase);
  });

  test.each([
    { argv: ['--help'], help: true },
    { argv: ['-h'], help: true },
    { argv: ['--phase', 'policy', '--help'], help: true },
    { argv: ['--phase', 'policy'], help: false },
    { argv: ['--helpful'], help: false },
  ])('wantsHelp($argv) = $help', ({ argv, help }) => {
    expect(wantsHelp(argv)).toBe(help);
  });

  test('--help prints the usage, runs nothing, writes nothing, exit 0', async () => {
    const io = captureIo();
    expect(await runMain(['--help', '--json', 'out.json'], {}, io)).toBe(0);
    expect(io.lines).toEqual([usageText()]);
    expect(io.files).toEqual([]);
  });

  test('test_reject_help_value: --help is not an option value the parser accepts', () => {
    expect(() => parseArgs(['--help'], {})).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
  });
});
