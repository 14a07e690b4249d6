import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
// Packages another change owns at the moment; their metadata lands with it. Empty this list then.
const PENDING = new Set<string>();

interface Manifest {
  name: string;
  private?: boolean;
  description?: string;
  keywords?: string[];
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  engines?: { node?: string };
  files?: string[];
  scripts?: Record<string, string>;
  nx?: { name?: string };
}

function published(): { dir: string; pkg: Manifest }[] {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces
    .flatMap((glob) => readdirSync(join(ROOT, glob.replace('/*', ''))).map((name) => `${glob.replace('/*', '')}/${name}`))
    .filter((dir) => existsSync(join(ROOT, dir, 'package.json')))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest }))
    .filter(({ pkg }) => pkg.private !== true);
}

const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');

describe('published packages are ready to publish', () => {
  test('the root LICENSE is the Apache License 2.0 every package declares', () => {
    expect(license).toMatch(/^Apache License\n\nVersion 2\.0, January 2004/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  test.each(published().filter(({ dir }) => !PENDING.has(dir)))('$dir', ({ dir, pkg }) => {
    expect(readFileSync(join(ROOT, dir, 'LICENSE'), 'utf8')).toBe(license);
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.description?.length ?? 0).toBeGreaterThan(10);
    expect(pkg.keywords?.length ?? 0).toBeGreaterThan(0);
    expect(pkg.repository).toEqual({ type: 'git', url: expect.stringMatching(/^git\+https:\/\//), directory: dir });
    expect(pkg.engines?.node).toBe('>=20.19');
    expect(pkg.files).toEqual(expect.arrayContaining(['LICENSE', 'dist']));
    expect(pkg.scripts?.['prepack']).toBe(`nx run ${pkg.nx?.name}:build --output-style=static`);
    if (pkg.scripts?.['bench'] !== undefined) expect(pkg.scripts['bench']).toMatch(new RegExp(`^nx run ${pkg.nx?.name}:build --output-style=static && `));
  });
});
