import { Kernel, type Outgoing } from '@nexus/ipc';
import { describe, expect, test } from 'vitest';
import { encodeRouteReply } from './codec.js';
import { RouteClient, type RouteOutcome } from './client.js';
import { RouteStatus } from './wire.js';

/** A router stand-in answering every ROUTE with `answer(spare)`, where `spare` is a right it holds. */
function clientOf(answer: (spare: () => ReturnType<Kernel['grant']>) => Outgoing, timeoutMs = 50): RouteClient {
  const kernel = new Kernel();
  const router = kernel.spawn('init-lite');
  const target = kernel.spawn('logd');
  const targetEp = kernel.createEndpoint(target);
  const { recv, send } = kernel.createEndpoint(router);
  router.serve(recv, () => answer(() => kernel.grant(targetEp.send, router)));
  const client = kernel.spawn('selftest-client');
  return new RouteClient(client, kernel.grant(send, client), { timeoutMs });
}

describe(RouteClient, () => {
  const cases: ReadonlyArray<readonly [string, (spare: () => ReturnType<Kernel['grant']>) => Outgoing, RouteOutcome['status']]> = [
    ['OK with a right', (spare) => ({ frame: encodeRouteReply(RouteStatus.OK), cap: spare() }), 'ok'],
    ['DENY', () => encodeRouteReply(RouteStatus.DENY), 'deny'],
    ['NOT_FOUND', () => encodeRouteReply(RouteStatus.NOT_FOUND), 'not-found'],
    ['TOO_LARGE', () => encodeRouteReply(RouteStatus.TOO_LARGE), 'too-large'],
    ['OK without a right', () => encodeRouteReply(RouteStatus.OK), 'bad-reply'],
    ['DENY with a right', (spare) => ({ frame: encodeRouteReply(RouteStatus.DENY), cap: spare() }), 'bad-reply'],
    ['garbage', () => Uint8Array.of(1, 2, 3), 'bad-reply'],
    ['no reply', () => undefined, 'peer-closed'],
  ];
  for (const [input, answer, status] of cases) {
    test(input, async () => {
      expect((await clientOf(answer).route('logd')).status).toBe(status);
    });
  }

  test('test_reject_unencodable_name_without_a_call', async () => {
    let calls = 0;
    const client = clientOf(() => {
      calls++;
      return encodeRouteReply(RouteStatus.OK);
    });
    expect(await client.route('Not A Name')).toEqual({ status: 'malformed' });
    expect(calls).toBe(0);
  });

  test('a router that never answers times out', async () => {
    const kernel = new Kernel();
    const router = kernel.spawn('init-lite');
    const { recv, send } = kernel.createEndpoint(router);
    router.serve(recv, () => new Promise<Outgoing>(() => undefined));
    const client = kernel.spawn('selftest-client');
    expect(await new RouteClient(client, kernel.grant(send, client), { timeoutMs: 10 }).route('logd')).toEqual({
      status: 'timeout',
    });
  });
});
