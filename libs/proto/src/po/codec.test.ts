import { describe, expect, it } from 'vitest';
import { decodePolicyReply, decodePolicyRequest, encodePolicyReply, encodePolicyRequest } from './codec.js';
import { PO_OP, PO_STATUS, type PolicyReply, type PolicyRequest } from './wire.js';

const A = 0x866cecf1b02a841bn;
const B = 0x7b6096126000c028n;

/** Every (version, op) the codec knows, once: encode → decode must give the input back. */
const requests: readonly PolicyRequest[] = [
  { version: 1, op: PO_OP.CHECK, name: 'keystored' },
  { version: 1, op: PO_OP.ROUTE, requester: 'bundlemgrd', target: 'execd' },
  { version: 1, op: PO_OP.EXEC, requester: 'execd', imageId: 3 },
  { version: 1, op: PO_OP.CHECK_CAP, subjectId: A, cap: 'crypto.sign' },
  { version: 1, op: PO_OP.CHECK_CAP_DELEGATED, subjectId: A, cap: 'crypto.sign' },
  { version: 2, op: PO_OP.ROUTE, nonce: 1, requester: 'a', target: 'b' },
  { version: 2, op: PO_OP.EXEC, nonce: 2, requester: 'execd', imageId: 255 },
  { version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce: 0xffffffff, subjectId: B, cap: 'ipc.core' },
  { version: 2, op: PO_OP.VERSION, nonce: 5 },
  { version: 3, op: PO_OP.ROUTE, nonce: 6, requesterId: A, targetId: B },
  { version: 3, op: PO_OP.EXEC, nonce: 7, requesterId: B, imageId: 9 },
  { version: 3, op: PO_OP.CHECK_CAP_DELEGATED, nonce: 8, subjectId: B, targetId: A, cap: 'bundle.install' },
];

/** One reply per op and version, every status at least once. */
const replies: readonly PolicyReply[] = [
  { version: 1, op: PO_OP.CHECK, status: PO_STATUS.ALLOW },
  { version: 1, op: PO_OP.ROUTE, status: PO_STATUS.DENY },
  { version: 1, op: PO_OP.EXEC, status: PO_STATUS.MALFORMED },
  { version: 1, op: PO_OP.CHECK_CAP, status: PO_STATUS.UNSUPPORTED },
  { version: 1, op: PO_OP.CHECK_CAP_DELEGATED, status: PO_STATUS.TOO_LARGE },
  { version: 2, op: PO_OP.ROUTE, nonce: 9, status: PO_STATUS.ALLOW },
  { version: 2, op: PO_OP.EXEC, nonce: 10, status: PO_STATUS.DENY },
  { version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce: 11, status: PO_STATUS.ALLOW },
  { version: 2, op: PO_OP.VERSION, nonce: 12, status: PO_STATUS.ALLOW, label: 'policy v1 sha256:00ff' },
  { version: 2, op: PO_OP.VERSION, nonce: 13, status: PO_STATUS.DENY },
  { version: 3, op: PO_OP.ROUTE, nonce: 14, status: PO_STATUS.ALLOW },
  { version: 3, op: PO_OP.EXEC, nonce: 15, status: PO_STATUS.DENY },
  { version: 3, op: PO_OP.CHECK_CAP_DELEGATED, nonce: 16, status: PO_STATUS.ALLOW },
];

describe('PO codec round trip', () => {
  it.each(requests.map((r) => [`v${r.version} op ${r.op}`, r] as const))('request %s: encode → decode = input', (_, request) => {
    expect(decodePolicyRequest(encodePolicyRequest(request))).toEqual({ ok: true, request });
  });

  it.each(replies.map((r) => [`v${r.version} op ${r.op} status ${r.status}`, r] as const))('reply %s: encode → decode = input', (_, reply) => {
    const header = { version: reply.version, op: reply.op, ...(reply.nonce === undefined ? {} : { nonce: reply.nonce }) };
    expect(decodePolicyReply(encodePolicyReply(reply), header)).toEqual(reply);
  });

  it('covers every op', () => {
    const ops = new Set([...requests, ...replies].map((r) => r.op));
    expect([...ops].sort()).toEqual(Object.values(PO_OP).sort());
  });
});
