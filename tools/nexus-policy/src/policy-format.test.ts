import { compilePolicy } from '@nexus/sel';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { lineDiff } from './line-diff.js';
import { formatPolicyText } from './policy-format.js';

describe(formatPolicyText, () => {
  test.each([
    ['keys and array items sorted', '[allow]\nb = ["z.y", "x.y"]\na = ["q.r"]\n', '[allow]\na = ["q.r"]\nb = ["x.y", "z.y"]\n'],
    [
      'tables in the fixed order, each with its comment',
      '# file\n\n# denies\n[deny]\nb = ["x.y"]\n\n# grants\n[allow]\na = ["x.y"]\n',
      '# file\n\n# grants\n[allow]\na = ["x.y"]\n\n# denies\n[deny]\nb = ["x.y"]\n',
    ],
    ['comments kept', '[allow]\n# why a\na = ["x.y"] # trailing\n', '[allow]\n# why a\na = ["x.y"] # trailing\n'],
    ['a missing trailing newline added', '[allow]\na = ["x.y"]', '[allow]\na = ["x.y"]\n'],
  ])('%s', async (_name, input, expected) => {
    expect(await formatPolicyText(input, 'p.toml')).toBe(expected);
  });

  test('a long array goes one item per line', async () => {
    const items = Array.from({ length: 12 }, (_, n) => `"svc-${String(n).padStart(2, '0')}"`);
    const out = await formatPolicyText(`[restrict]\n"bundle.install" = [${items.join(', ')}]\n`, 'p.toml');
    expect(out.split('\n').length).toBeGreaterThan(12);
    expect(await formatPolicyText(out, 'p.toml')).toBe(out);
  });

  test('test_reject_bad_toml: a file that is not TOML is the compiler error, not a rewrite', async () => {
    await expect(formatPolicyText('[allow\n', 'p.toml')).rejects.toMatchObject({ code: 'TOML_SYNTAX', line: 1 });
  });

  test('formatting is idempotent and never changes the policy (random policies)', async () => {
    const name = fc.constantFrom('a', 'b', 'keystored', '"demo.x"');
    const pattern = fc.constantFrom('x.y', 'x.*', 'ipc.route@execd', 'z.w', 'crypto.sign');
    const table = fc.dictionary(name, fc.array(pattern, { maxLength: 6 }), { maxKeys: 4 });
    const toml = fc
      .tuple(table, table, fc.boolean())
      .map(([allow, deny, denyFirst]) => {
        const render = (t: Record<string, string[]>): string =>
          Object.entries(t).map(([k, v]) => `${k} = [ ${v.map((p) => JSON.stringify(p)).join(' ,')} ]   # c`).join('\n');
        const parts = [`# allow\n[allow]\n${render(allow)}\n`, `[deny]\n${render(deny)}\n`];
        return (denyFirst ? parts.reverse() : parts).join('\n');
      })
      .filter((text) => !/^"demo.x"|^a|^b|^keystored/m.test(text.split('[deny]')[1] ?? '') || true);
    await fc.assert(
      fc.asyncProperty(toml, async (text) => {
        let version: string;
        try {
          version = compilePolicy([{ path: 'p.toml', text }]).version;
        } catch {
          return; // an invalid input is the compiler's error, tested above
        }
        const once = await formatPolicyText(text, 'p.toml');
        expect(compilePolicy([{ path: 'p.toml', text: once }]).version).toBe(version);
        expect(await formatPolicyText(once, 'p.toml')).toBe(once);
        expect(once.split('\n').filter((l) => l.includes('# c')).length).toBe(text.split('\n').filter((l) => l.includes('# c')).length);
      }),
      { numRuns: 150 },
    );
  });
});

describe(lineDiff, () => {
  test.each([
    ['equal texts', 'a\n', 'a\n', ''],
    ['one changed line', 'a\nb\n', 'a\nc\n', '--- x\n+++ x (formatted)\n@@ -2,1 +2,1 @@\n-b\n+c\n'],
    ['an added line', 'a\n', 'a\nb\n', '--- x\n+++ x (formatted)\n@@ -2,0 +2,1 @@\n+b\n'],
  ])('%s', (_name, a, b, expected) => {
    expect(lineDiff(a, b, 'x')).toBe(expected);
  });
});
