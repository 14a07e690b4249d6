import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Cached } from './utf8-cached.js';

const encoder = new TextEncoder();

describe(utf8Cached, () => {
  for (const value of ['policyd.audit', '', 'é', 'a😀', 'lone \ud800', 'x'.repeat(300)]) {
    it(JSON.stringify(value.slice(0, 20)), () => {
      expect(utf8Cached(value)).toEqual(encoder.encode(value));
      expect(utf8Cached(value)).toEqual(encoder.encode(value));
    });
  }

  it('equals TextEncoder on any string, also after the cache is full and cleared', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 20 }), { maxLength: 40 }), (values) => {
        for (const value of values) expect(utf8Cached(value)).toEqual(encoder.encode(value));
      }),
      { numRuns: 200 },
    );
  });
});
