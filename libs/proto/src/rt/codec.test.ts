import { describe, expect, test } from 'vitest';
import { decodeRouteReply, decodeRouteRequest, encodeRouteReply, encodeRouteRequest } from './codec.js';
import { RouteStatus, RT_OP } from './wire.js';

describe(encodeRouteRequest, () => {
  test('logd', () => {
    expect([...encodeRouteRequest('logd')]).toEqual([0x52, 0x54, 1, 1, 4, 0x6c, 0x6f, 0x67, 0x64]);
  });

  for (const name of ['', 'x'.repeat(49), 'Logd', 'lo gd', 'é']) {
    test(`test_reject_name_${JSON.stringify(name).slice(0, 12)}`, () => {
      expect(() => encodeRouteRequest(name)).toThrow(expect.objectContaining({ name: 'ProtoError', code: 'BAD_VALUE' }));
    });
  }
});

/** RT has one op (ROUTE): its request for a few names, its reply for every status. */
describe('RT codec round trip', () => {
  test.each(['a', 'logd', 'x'.repeat(48)])('ROUTE request %s: encode → decode = input', (name) => {
    expect(decodeRouteRequest(encodeRouteRequest(name))).toEqual({ ok: true, request: { op: RT_OP.ROUTE, name } });
  });

  test.each(Object.values(RouteStatus))('ROUTE reply status %i: encode → decode = input', (status) => {
    expect(decodeRouteReply(encodeRouteReply(status))).toBe(status);
  });
});
