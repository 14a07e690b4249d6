import { IpcError } from '@nexus/ipc';
import { describe, expect, it } from 'vitest';
import type { Transport } from '../call-transport.js';
import { decodePolicyRequest, encodePolicyReply } from './codec.js';
import { PO_STATUS, type PolicyRequest, type PolicyStatus } from './wire.js';
import { PolicyClient } from './client.js';

/** A fake policyd: decodes the request and answers `status` for it, recording what it saw. */
function server(status: PolicyStatus, seen: PolicyRequest[] = []): Transport {
  return async (frame) => {
    const res = decodePolicyRequest(frame);
    if (!res.ok) return res.reply;
    seen.push(res.request);
    const { version, op } = res.request;
    return encodePolicyReply({
      version,
      op,
      ...(res.request.version === 1 ? {} : { nonce: res.request.nonce }),
      status,
      ...(op === 7 && status === PO_STATUS.ALLOW ? { label: 'policyd test' } : {}),
    });
  };
}

const calls: ReadonlyArray<{ name: string; call: (c: PolicyClient) => Promise<unknown> }> = [
  { name: 'check', call: (c) => c.check('keystored') },
  { name: 'route', call: (c) => c.route('init-lite', 'logd') },
  { name: 'routeById', call: (c) => c.routeById(1n, 2n) },
  { name: 'exec', call: (c) => c.exec('execd', 3) },
  { name: 'execById', call: (c) => c.execById(1n, 3) },
  { name: 'checkCap', call: (c) => c.checkCap(1n, 'ipc.core') },
  { name: 'checkCapDelegated', call: (c) => c.checkCapDelegated(1n, 'crypto.sign') },
  { name: 'checkCapDelegatedFor', call: (c) => c.checkCapDelegatedFor(1n, 'bundle.install', 2n) },
  { name: 'version', call: (c) => c.version() },
];

describe(PolicyClient, () => {
  for (const { name, call } of calls) {
    it(`${name}: ALLOW reply → allow`, async () => {
      expect(await call(new PolicyClient(server(PO_STATUS.ALLOW)))).toMatchObject({ allow: true, status: 'allow' });
    });
    it(`${name}: DENY reply → deny`, async () => {
      expect(await call(new PolicyClient(server(PO_STATUS.DENY)))).toEqual({ allow: false, status: 'deny' });
    });
  }

  const statuses: ReadonlyArray<{ status: PolicyStatus; out: string }> = [
    { status: PO_STATUS.MALFORMED, out: 'malformed' },
    { status: PO_STATUS.UNSUPPORTED, out: 'unsupported' },
    { status: PO_STATUS.TOO_LARGE, out: 'too-large' },
  ];
  for (const { status, out } of statuses) {
    it(`reply status ${status} → deny '${out}'`, async () => {
      expect(await new PolicyClient(server(status)).route('a', 'b')).toEqual({ allow: false, status: out });
    });
  }

  it('sends the exact v2 ROUTE frame with a deterministic nonce counter', async () => {
    const frames: Uint8Array[] = [];
    const inner = server(PO_STATUS.ALLOW);
    const client = new PolicyClient(async (f, t) => (frames.push(f), inner(f, t)));
    await client.route('a', 'b');
    await client.route('a', 'b');
    expect([...frames[0]!]).toEqual([0x50, 0x4f, 2, 2, 1, 0, 0, 0, 1, 0x61, 1, 0x62]);
    expect([...frames[1]!]).toEqual([0x50, 0x4f, 2, 2, 2, 0, 0, 0, 1, 0x61, 1, 0x62]);
  });

  it('passes its timeout to the transport', async () => {
    const timeouts: number[] = [];
    const inner = server(PO_STATUS.ALLOW);
    await new PolicyClient(async (f, t) => (timeouts.push(t), inner(f, t)), { timeoutMs: 123 }).check('a');
    expect(timeouts).toEqual([123]);
  });

  it('version() returns the label on ALLOW', async () => {
    expect(await new PolicyClient(server(PO_STATUS.ALLOW)).version()).toEqual({
      allow: true,
      status: 'allow',
      label: 'policyd test',
    });
  });

  const failures: ReadonlyArray<{ name: string; transport: Transport; out: string }> = [
    { name: 'test_reject_timeout', transport: () => Promise.reject(new IpcError('TIMEOUT', 'x')), out: 'timeout' },
    { name: 'test_reject_peer_closed', transport: () => Promise.reject(new IpcError('PEER_CLOSED', 'x')), out: 'peer-closed' },
    { name: 'test_reject_dead_task', transport: () => Promise.reject(new IpcError('TASK_DEAD', 'x')), out: 'peer-closed' },
    { name: 'test_reject_rejected_transport', transport: () => Promise.reject(new Error('boom')), out: 'error' },
    { name: 'test_reject_rejected_with_non_error', transport: () => Promise.reject(undefined), out: 'error' },
    {
      name: 'test_reject_sync_throwing_transport',
      transport: () => {
        throw new IpcError('QUEUE_FULL', 'x');
      },
      out: 'error',
    },
    { name: 'test_reject_non_bytes_reply', transport: async () => 'ALLOW' as unknown as Uint8Array, out: 'error' },
    { name: 'test_reject_garbage_reply', transport: async () => Uint8Array.of(0xde, 0xad, 0xbe, 0xef), out: 'bad-reply' },
    { name: 'test_reject_empty_reply', transport: async () => new Uint8Array(0), out: 'bad-reply' },
    {
      name: 'test_reject_allow_with_wrong_nonce',
      transport: async () => Uint8Array.of(0x50, 0x4f, 2, 0x82, 99, 0, 0, 0, 0, 0),
      out: 'bad-reply',
    },
    {
      name: 'test_reject_allow_of_the_wrong_op',
      transport: async () => Uint8Array.of(0x50, 0x4f, 2, 0x83, 1, 0, 0, 0, 0, 0),
      out: 'bad-reply',
    },
    {
      name: 'test_reject_truncated_allow',
      transport: async () => Uint8Array.of(0x50, 0x4f, 2, 0x82, 1, 0, 0, 0, 0),
      out: 'bad-reply',
    },
    {
      name: 'test_reject_v1_shaped_allow_to_v2',
      transport: async () => Uint8Array.of(0x50, 0x4f, 1, 0x82, 0, 0),
      out: 'bad-reply',
    },
    {
      name: 'test_reject_echoed_request',
      transport: async (f) => f,
      out: 'bad-reply',
    },
  ];
  for (const { name, transport, out } of failures) {
    it(`${name} → deny '${out}'`, async () => {
      expect(await new PolicyClient(transport).route('a', 'b')).toEqual({ allow: false, status: out });
    });
  }

  it('a stale ALLOW (previous nonce) does not allow the next request', async () => {
    let last: Uint8Array | undefined;
    const inner = server(PO_STATUS.ALLOW);
    const replay: Transport = async (f, t) => {
      const answer = last ?? (await inner(f, t));
      last = answer;
      return answer;
    };
    const client = new PolicyClient(replay);
    expect((await client.route('a', 'b')).allow).toBe(true);
    expect(await client.route('a', 'b')).toEqual({ allow: false, status: 'bad-reply' });
  });

  const unencodable: ReadonlyArray<{ name: string; call: (c: PolicyClient) => Promise<unknown> }> = [
    { name: 'test_reject_client_name_0_bytes', call: (c) => c.check('') },
    { name: 'test_reject_client_name_49_bytes', call: (c) => c.route('a'.repeat(49), 'b') },
    { name: 'test_reject_client_cap_49_bytes', call: (c) => c.checkCapDelegated(1n, 'c'.repeat(49)) },
    { name: 'test_reject_client_target_id_over_u64', call: (c) => c.checkCapDelegatedFor(1n, 'bundle.install', 1n << 64n) },
    { name: 'test_reject_client_image_256', call: (c) => c.execById(1n, 256) },
  ];
  for (const { name, call } of unencodable) {
    it(`${name}: denied without calling the transport`, async () => {
      let called = false;
      const client = new PolicyClient(async () => ((called = true), new Uint8Array(0)));
      expect(await call(client)).toEqual({ allow: false, status: 'malformed' });
      expect(called).toBe(false);
    });
  }
});
