import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { claimsIdentity } from './claims-identity.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);

describe(claimsIdentity, () => {
  test.each([
    ['policyd.audit', 'x', ''],
    [' POLICYD.AUDIT ', 'x', ''],
    ['policyd.audit.extra', 'x', ''],
    ['policyd.auditor', 'x', ''],
    ['app', 'audit v1 op=check decision=allow subject=0x0000000000000001 reason=policy', ''],
    ['app', '  AUDIT V1 op=route', ''],
    ['app', 'x', 'service=keystored'],
    ['app', 'x', 'port=1 sender_id=0xc4b6d847aa573fa1'],
    ['app', 'x', 'subject: policyd'],
    ['app', 'x', 'SERVICE-ID=1'],
    ['app', 'x', 'a=1\nserviceid =2'],
    ['app', 'x', 'k=v,sender.id=3'],
  ])('test_reject_forged_service_id: scope %j msg %j fields %j', (scope, message, fields) => {
    expect(claimsIdentity(scope, message, enc(fields))).toBe(true);
  });

  test('a claim behind invalid UTF-8 is still found', () => {
    expect(claimsIdentity('app', 'x', Uint8Array.of(0xff, 0x20, ...enc('sender=policyd')))).toBe(true);
  });

  test.each([
    ['app', 'started', ''],
    ['policyd', 'audit trail rotated', 'count=3'],
    ['app', 'the service started', 'port=80'],
    ['app', 'x', 'my_service=foo'],
    ['app', 'x', 'subjects_total=4'],
    ['app', 'x', 'servicename=demo'],
  ])('accepts scope %j msg %j fields %j', (scope, message, fields) => {
    expect(claimsIdentity(scope, message, enc(fields))).toBe(false);
  });

  test('property: never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), fc.string({ maxLength: 256 }), fc.uint8Array({ maxLength: 512 }), (s, m, f) => {
        expect(typeof claimsIdentity(s, m, f)).toBe('boolean');
      }),
    );
  });
});
