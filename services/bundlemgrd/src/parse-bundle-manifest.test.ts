import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BundleError } from './bundle-error.js';
import { parseBundleManifest } from './parse-bundle-manifest.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A manifest written as TOML the way a publisher would. */
function manifestText(m: { name: string; version: string; publisher: string; capabilities: readonly string[] }): string {
  return `name = ${JSON.stringify(m.name)}\nversion = ${JSON.stringify(m.version)}\npublisher = ${JSON.stringify(m.publisher)}\ncapabilities = ${JSON.stringify(m.capabilities)}\n`;
}

describe(parseBundleManifest, () => {
  test('a valid manifest', () => {
    const text = 'name = "demo.testsvc"\nversion = "1.2.3-rc.1"\npublisher = "nexus"\ncapabilities = ["ipc.core", "fs.read"]\n';
    expect(parseBundleManifest(utf8(text))).toEqual({
      name: 'demo.testsvc',
      version: '1.2.3-rc.1',
      publisher: 'nexus',
      capabilities: ['ipc.core', 'fs.read'],
    });
  });

  for (const [what, text] of [
    ['a date as version', 'name = "a"\nversion = 1979-05-27\npublisher = "p"\ncapabilities = []\n'],
    ['an empty capability segment', 'name = "a"\nversion = "1.0.0"\npublisher = "p"\ncapabilities = ["fs..read"]\n'],
    ['a bare * capability', 'name = "a"\nversion = "1.0.0"\npublisher = "p"\ncapabilities = ["*"]\n'],
    ['a capability that is a number', 'name = "a"\nversion = "1.0.0"\npublisher = "p"\ncapabilities = [1]\n'],
    ['an empty publisher', 'name = "a"\nversion = "1.0.0"\npublisher = ""\ncapabilities = []\n'],
    ['a leading-zero version', 'name = "a"\nversion = "01.0.0"\npublisher = "p"\ncapabilities = []\n'],
  ]) {
    test(`test_reject_manifest: ${what}`, () => {
      expect(() => parseBundleManifest(utf8(text))).toThrow(expect.objectContaining({ code: 'MANIFEST' }));
    });
  }

  test('test_reject_manifest_over_4096', () => {
    expect(() => parseBundleManifest(new Uint8Array(4097).fill(0x23))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });

  test('test_reject_manifest_not_utf8', () => {
    expect(() => parseBundleManifest(Uint8Array.of(0xff))).toThrow(expect.objectContaining({ code: 'MANIFEST' }));
  });

  test('fuzz: any bytes parse to a valid manifest or throw only BundleError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300 }).map(utf8)), (bytes) => {
        let parsed;
        try {
          parsed = parseBundleManifest(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(BundleError);
          return;
        }
        // A success is a manifest that says the same again: written back out, it parses equal.
        expect(parseBundleManifest(utf8(manifestText(parsed)))).toEqual(parsed);
      }),
      { numRuns: 1000 },
    );
  });

  test('round trip: every generated valid manifest parses to exactly what was written', () => {
    const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
    const name = fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,9}$/), fc.array(segment, { maxLength: 3 })).map(([head, rest]) => [head, ...rest].join('.'));
    const version = fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99)).map((parts) => parts.join('.'));
    const manifest = fc.record({
      name,
      version,
      publisher: name,
      capabilities: fc.uniqueArray(fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.')), { maxLength: 8 }),
    });
    fc.assert(
      fc.property(manifest, (m) => {
        fc.pre(m.capabilities.every((c) => c.length <= 48));
        expect(parseBundleManifest(utf8(manifestText(m)))).toEqual(m);
      }),
      { numRuns: 500 },
    );
  });
});
