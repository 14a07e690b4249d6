import { serviceIdFromName } from '@nexus/ipc';
import type { PolicyRequest } from '@nexus/proto';
import { describe, expect, test } from 'vitest';
import { requestQuery } from './request-query.js';

const nameOf = (id: bigint): string | undefined => (id === serviceIdFromName('execd') ? 'execd' : undefined);
const KS = serviceIdFromName('keystored');

describe(requestQuery, () => {
  const cases: { input: PolicyRequest; out: object }[] = [
    { input: { version: 1, op: 1, name: 'keystored' }, out: { op: 'check', action: 'ipc.core', target: undefined, claimedId: KS, nonce: undefined } },
    { input: { version: 2, op: 2, nonce: 4, requester: 'keystored', target: 'logd' }, out: { op: 'route', action: 'ipc.route', target: 'logd', claimedId: KS, nonce: 4 } },
    { input: { version: 3, op: 2, nonce: 5, requesterId: KS, targetId: serviceIdFromName('execd') }, out: { op: 'route', action: 'ipc.route', target: 'execd', claimedId: KS, nonce: 5 } },
    { input: { version: 3, op: 2, nonce: 5, requesterId: KS, targetId: 0xabn }, out: { op: 'route', action: 'ipc.route', target: '0x00000000000000ab', claimedId: KS, nonce: 5 } },
    { input: { version: 1, op: 3, requester: 'keystored', imageId: 255 }, out: { op: 'exec', action: 'proc.spawn', target: '255', claimedId: KS, nonce: undefined } },
    { input: { version: 3, op: 3, nonce: 1, requesterId: 7n, imageId: 0 }, out: { op: 'exec', action: 'proc.spawn', target: '0', claimedId: 7n, nonce: 1 } },
    { input: { version: 1, op: 4, subjectId: 9n, cap: 'crypto.sign' }, out: { op: 'check_cap', action: 'crypto.sign', target: undefined, claimedId: 9n, nonce: undefined } },
    { input: { version: 2, op: 5, nonce: 2, subjectId: 9n, cap: 'audit.read' }, out: { op: 'check_cap_delegated', action: 'audit.read', target: undefined, claimedId: 9n, nonce: 2 } },
    { input: { version: 3, op: 5, nonce: 2, subjectId: 9n, targetId: serviceIdFromName('execd'), cap: 'bundle.install' }, out: { op: 'check_cap_delegated', action: 'bundle.install', target: 'execd', claimedId: 9n, nonce: 2 } },
    { input: { version: 3, op: 5, nonce: 2, subjectId: 9n, targetId: 0xabn, cap: 'bundle.install' }, out: { op: 'check_cap_delegated', action: 'bundle.install', target: '0x00000000000000ab', claimedId: 9n, nonce: 2 } },
    { input: { version: 2, op: 7, nonce: 3 }, out: { op: 'version', action: undefined, target: undefined, claimedId: undefined, nonce: 3 } },
  ];
  for (const { input, out } of cases) {
    test(JSON.stringify(input, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)), () => {
      const q = requestQuery(input, nameOf);
      expect({ op: q.spec.name, action: q.action, target: q.target, claimedId: q.claimedId, nonce: q.nonce }).toEqual(out);
    });
  }
});
