import { Kernel, type SendCap, type Task } from '@nexus/ipc';
import {
  PO_OP,
  PO_STATUS,
  PolicyClient,
  decodePolicyReply,
  encodePolicyRequest,
  type PolicyRequest,
} from '@nexus/proto';
import { describe, expect, test } from 'vitest';
import { startFakePolicyd, type FakePolicyAnswer, type FakePolicyScript } from './start-fake-policyd.js';

interface Rig {
  readonly kernel: Kernel;
  readonly client: Task;
  readonly route: SendCap;
  readonly policyd: ReturnType<typeof startFakePolicyd>;
}

function rig(script: FakePolicyScript): Rig {
  const kernel = new Kernel();
  const policyd = startFakePolicyd(kernel, script);
  const client = kernel.spawn('selftest-client');
  return { kernel, client, route: kernel.grant(policyd.endpoint, client), policyd };
}

const delegated: PolicyRequest = { version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce: 7, subjectId: 42n, cap: 'crypto.sign' };
const routeV3: PolicyRequest = { version: 3, op: PO_OP.ROUTE, nonce: 9, requesterId: 1n, targetId: 2n };

async function ask(r: Rig, req: PolicyRequest, timeoutMs = 200): Promise<Uint8Array> {
  return (await r.client.call(r.route, encodePolicyRequest(req), { timeoutMs })).frame;
}

describe(startFakePolicyd, () => {
  const statuses: ReadonlyArray<readonly [FakePolicyAnswer, number]> = [
    ['allow', PO_STATUS.ALLOW],
    ['deny', PO_STATUS.DENY],
    ['malformed', PO_STATUS.MALFORMED],
    ['unsupported', PO_STATUS.UNSUPPORTED],
  ];
  for (const [answer, status] of statuses) {
    test(`${String(answer)} echoes version, op and nonce with status ${status}`, async () => {
      const r = rig(answer);
      const reply = decodePolicyReply(await ask(r, delegated), { version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce: 7 });
      expect(reply.status).toBe(status);
    });
  }

  test('records each decoded request with the kernel-stamped sender, in order', async () => {
    const r = rig('allow');
    await ask(r, delegated);
    await ask(r, routeV3);
    expect(r.policyd.seen).toEqual([
      { sender: r.client.serviceId, request: delegated },
      { sender: r.client.serviceId, request: routeV3 },
    ]);
    expect(r.policyd.task.name).toBe('policyd');
  });

  test('a script function sees the request and sender and may answer asynchronously', async () => {
    const calls: Array<[number, bigint]> = [];
    const r = rig(async (req, sender) => {
      calls.push([req.op, sender]);
      await Promise.resolve();
      return req.op === PO_OP.ROUTE ? 'allow' : 'deny';
    });
    expect(decodePolicyReply(await ask(r, routeV3), { version: 3, op: PO_OP.ROUTE, nonce: 9 }).status).toBe(PO_STATUS.ALLOW);
    expect(decodePolicyReply(await ask(r, delegated), { version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce: 7 }).status).toBe(PO_STATUS.DENY);
    expect(calls).toEqual([
      [PO_OP.ROUTE, r.client.serviceId],
      [PO_OP.CHECK_CAP_DELEGATED, r.client.serviceId],
    ]);
  });

  test('test_reject_wrong_nonce: the reply carries the nonce plus one', async () => {
    const r = rig('wrong-nonce');
    const frame = await ask(r, delegated);
    expect(() => decodePolicyReply(frame, { version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce: 7 })).toThrow(expect.objectContaining({ code: 'MISMATCH' }));
    expect(decodePolicyReply(frame, { version: 2, op: PO_OP.CHECK_CAP_DELEGATED, nonce: 8 }).status).toBe(PO_STATUS.ALLOW);
  });

  test('test_reject_wrong_op: ROUTE is answered as EXEC, anything else as ROUTE', async () => {
    const r = rig('wrong-op');
    expect((await ask(r, routeV3))[3]).toBe(PO_OP.EXEC | 0x80);
    expect((await ask(r, delegated))[3]).toBe(PO_OP.ROUTE | 0x80);
  });

  test('test_reject_garbage and raw bytes are sent as they are', async () => {
    expect([...(await ask(rig('garbage'), delegated))]).toEqual([0x50, 0x4f, 9, 9, 9]);
    expect([...(await ask(rig(Uint8Array.of(1, 2, 3)), delegated))]).toEqual([1, 2, 3]);
  });

  test('test_reject_silent: the caller times out', async () => {
    await expect(ask(rig('silent'), delegated, 20)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  test('test_reject_undecodable_request: answered by the decoder, not recorded, script not run', async () => {
    let ran = false;
    const r = rig(() => {
      ran = true;
      return 'allow';
    });
    const reply = await r.client.call(r.route, Uint8Array.of(0x50, 0x4f, 2), { timeoutMs: 200 });
    expect(reply.frame[0]).toBe(0x50);
    expect(r.policyd.seen).toEqual([]);
    expect(ran).toBe(false);
  });

  test('a PolicyClient gets the scripted verdicts end to end; a killed fake denies', async () => {
    const r = rig((req) => ('cap' in req && req.cap === 'crypto.sign' ? 'allow' : 'deny'));
    const client = new PolicyClient(async (f, t) => (await r.client.call(r.route, f, { timeoutMs: t })).frame, { timeoutMs: 200 });
    expect(await client.checkCapDelegated(42n, 'crypto.sign')).toMatchObject({ allow: true });
    expect(await client.checkCapDelegated(42n, 'fs.read')).toMatchObject({ allow: false });
    r.kernel.kill(r.policyd.task);
    expect(await client.checkCapDelegated(42n, 'crypto.sign')).toMatchObject({ allow: false });
  });
});
