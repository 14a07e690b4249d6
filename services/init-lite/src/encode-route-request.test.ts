import { describe, expect, test } from 'vitest';
import { encodeRouteRequest } from './encode-route-request.js';

describe(encodeRouteRequest, () => {
  test('logd', () => {
    expect([...encodeRouteRequest('logd')]).toEqual([0x52, 0x54, 1, 1, 4, 0x6c, 0x6f, 0x67, 0x64]);
  });

  for (const name of ['', 'x'.repeat(49), 'Logd', 'lo gd', 'é']) {
    test(`test_reject_name_${JSON.stringify(name).slice(0, 12)}`, () => {
      expect(() => encodeRouteRequest(name)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    });
  }
});
