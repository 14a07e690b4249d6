import { compilePolicy } from '@nexus/sel';
import { describe, expect, test } from 'vitest';
import { lintNearNames } from './lint-near-names.js';

function warn(text: string): readonly string[] {
  return lintNearNames(compilePolicy([{ path: 'p.toml', text }])).map((w) => `${w.rule.line}:${w.rule.column} ${w.message}`);
}

describe(lintNearNames, () => {
  const cases: readonly [name: string, text: string, expected: readonly string[]][] = [
    [
      'keystord next to keystored (a dropped letter)',
      '[allow]\nkeystored = ["crypto.sign"]\nkeystord = ["crypto.verify"]\n',
      ['3:13 keystord is one typo away from keystored (p.toml:2:14): if it is not a service of its own, the grant goes to nobody'],
    ],
    [
      'a swapped pair in [deny]',
      '[allow]\nbundlemgrd = ["fs.read"]\n[deny]\nbundlemrgd = ["fs.write"]\n',
      ['4:15 bundlemrgd is one typo away from bundlemgrd (p.toml:2:15): if it is not a service of its own, the deny guards nobody'],
    ],
    ['distinct services far apart', '[allow]\nlogd = ["ipc.core"]\nvfsd = ["fs.read"]\n', []],
    ['names under four letters are never suspects', '[allow]\nabc = ["x.y"]\nabd = ["x.y"]\n', []],
    ['a name and itself', '[allow]\nkeystored = ["crypto.sign"]\n[deny]\nkeystored = ["crypto.verify"]\n', []],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => {
      expect(warn(text)).toEqual(expected);
    });
  }

  test('the shipped recipes have no near names', async () => {
    const { loadPolicyDir } = await import('@nexus/sel/node');
    const { fileURLToPath } = await import('node:url');
    const policy = loadPolicyDir(fileURLToPath(new URL('../../../recipes/policy', import.meta.url)));
    expect(lintNearNames(policy)).toEqual([]);
  });
});
