import { describe, expect, test } from 'vitest';
import { BM_OP, BundleStatus } from './wire.js';
import { BundleClient } from './client.js';
import { encodeBundleFailure, encodeBundleReply } from './codec.js';

const kernelError = (code: string): Error => Object.assign(new Error(code), { code });

describe(BundleClient, () => {
  const cases: readonly [string, () => Promise<Uint8Array>, string][] = [
    ['a timeout', () => Promise.reject(kernelError('TIMEOUT')), 'timeout'],
    ['a closed peer', () => Promise.reject(kernelError('PEER_CLOSED')), 'peer-closed'],
    ['a thrown transport', () => Promise.reject(new Error('boom')), 'error'],
    ['garbage', async () => Uint8Array.of(1, 2, 3), 'bad-reply'],
    ['a reply to another op', async () => encodeBundleFailure(BM_OP.INSTALL, BundleStatus.NOT_FOUND), 'bad-reply'],
    ['NOT_FOUND', async () => encodeBundleFailure(BM_OP.QUERY, BundleStatus.NOT_FOUND), 'not-found'],
    ['DENY', async () => encodeBundleFailure(BM_OP.QUERY, BundleStatus.DENY), 'deny'],
  ];
  for (const [name, transport, status] of cases) {
    test(`query fails closed on ${name}`, async () => {
      expect(await new BundleClient(transport).query('demo.testsvc')).toEqual({ status });
    });
  }

  test('query ok', async () => {
    const bm = new BundleClient(async () => encodeBundleReply({ op: BM_OP.QUERY, status: BundleStatus.OK, imageId: 3, version: '1.0.0' }));
    expect(await bm.query('demo.testsvc')).toEqual({ status: 'ok', imageId: 3, version: '1.0.0' });
  });

  test('test_reject_unencodable_request: nothing is sent', async () => {
    let sent = 0;
    const bm = new BundleClient(async () => {
      sent += 1;
      return new Uint8Array(0);
    });
    expect(await bm.query('Bad Name')).toEqual({ status: 'malformed' });
    expect(await bm.install('name = "a"', new Uint8Array(63))).toEqual({ status: 'malformed' });
    expect(await bm.install('x'.repeat(4097), new Uint8Array(64))).toEqual({ status: 'malformed' });
    expect(sent).toBe(0);
  });

  test('list maps TOO_LARGE to truncated with its rows', async () => {
    const rows = [{ imageId: 1, name: 'a', version: '1.0.0' }];
    const bm = new BundleClient(async () => encodeBundleReply({ op: BM_OP.LIST, status: BundleStatus.TOO_LARGE, bundles: rows }));
    expect(await bm.list()).toEqual({ status: 'truncated', bundles: rows });
  });
});
