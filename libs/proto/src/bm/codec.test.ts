import { describe, expect, it } from 'vitest';
import { decodeBundleReply, decodeBundleRequest, encodeBundleFailure, encodeBundleReply, encodeBundleRequest } from './codec.js';
import { BM_OP, BundleStatus, type BundleReply, type BundleRequest } from './wire.js';

const manifest = new TextEncoder().encode('name = "demo.testsvc"\nversion = "1.0.0"\n');

/** Every BM op once: encode → decode must give the input back. */
const requests: readonly BundleRequest[] = [
  { op: BM_OP.INSTALL, manifest, signature: new Uint8Array(64).fill(7) },
  { op: BM_OP.QUERY, name: 'demo.testsvc' },
  { op: BM_OP.LIST },
];

/** Every op's OK reply, with the fields it carries. */
const replies: readonly BundleReply[] = [
  { op: BM_OP.INSTALL, status: BundleStatus.OK, imageId: 1 },
  { op: BM_OP.QUERY, status: BundleStatus.OK, imageId: 255, version: '1.2.3-rc.1' },
  { op: BM_OP.LIST, status: BundleStatus.OK, bundles: [] },
  {
    op: BM_OP.LIST,
    status: BundleStatus.OK,
    bundles: [
      { imageId: 1, name: 'demo.testsvc', version: '1.0.0' },
      { imageId: 2, name: 'logd', version: '0.1.0' },
    ],
  },
];

const failures = Object.values(BundleStatus).filter((s): s is Exclude<BundleStatus, 0> => s !== BundleStatus.OK);

describe('BM codec round trip', () => {
  it.each(requests.map((r) => [r.op, r] as const))('request op %i: encode → decode = input', (_, request) => {
    expect(decodeBundleRequest(encodeBundleRequest(request))).toEqual({ ok: true, request });
  });

  it.each(replies.map((r) => [r.op, r] as const))('OK reply op %i: encode → decode = input', (_, reply) => {
    expect(decodeBundleReply(encodeBundleReply(reply), reply.op)).toEqual(reply);
  });

  for (const op of Object.values(BM_OP)) {
    it.each(failures)(`failure reply op ${op} status %i: encode → decode keeps the status`, (status) => {
      expect(decodeBundleReply(encodeBundleFailure(op, status), op).status).toBe(status);
    });
  }

  it('covers every op', () => {
    expect(requests.map((r) => r.op)).toEqual(Object.values(BM_OP));
    expect([...new Set(replies.map((r) => r.op))]).toEqual(Object.values(BM_OP));
  });
});
