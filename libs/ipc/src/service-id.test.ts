import { describe, expect, it } from 'vitest';
import { serviceIdFromName } from './service-id.js';

const vectors: ReadonlyArray<readonly [string, bigint]> = [
  ['', 0xcbf29ce484222325n],
  ['init-lite', 0x46f681f38d27984en],
  ['selftest-client', 0x52c6c4a34ffb3f69n],
  ['keystored', 0x866cecf1b02a841bn],
  ['policyd', 0xc4b6d847aa573fa1n],
  ['execd', 0x7b6096126000c028n],
  ['bundlemgrd', 0x4dac7c5bc8db33ebn],
  ['logd', 0xce07e8ad70ec4c6fn],
  ['demo.testsvc', 0xd5ddfde85dbf9fa6n],
];

describe(serviceIdFromName, () => {
  for (const [name, id] of vectors) {
    it(JSON.stringify(name), () => {
      expect(serviceIdFromName(name)).toBe(id);
    });
  }
});
