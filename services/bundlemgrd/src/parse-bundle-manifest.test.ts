import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BundleError } from './bundle-error.js';
import { parseBundleManifest } from './parse-bundle-manifest.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

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
        try {
          parseBundleManifest(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(BundleError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
