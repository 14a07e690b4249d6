import { FrameWriter, IpcError, Kernel, serviceIdFromName, type SendCap, type Task } from '@nexus/ipc';
import { encodePolicyReply, PO_STATUS, decodeRouteReply, encodeRouteRequest, RouteClient, RouteStatus } from '@nexus/proto';
import { startFakePolicyd, type FakePolicyd } from '@nexus/test-support';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { startInitLite, type InitLiteHandle } from './start-init-lite.js';

type PolicyMode = 'allow' | 'deny' | 'garbage' | 'wrong-nonce' | 'wrong-op' | 'v1-allow';

const GARBAGE = Uint8Array.of(0x50, 0x4f, 3, 0x82, 0);

/** The fake policyd per `mode`: a truncated reply stands for garbage, as a half-sent frame would. */
function fakePolicyd(kernel: Kernel, mode: () => PolicyMode): FakePolicyd {
  return startFakePolicyd(kernel, (request) => {
    const m = mode();
    if (m === 'garbage') return GARBAGE;
    if (m === 'v1-allow') return encodePolicyReply({ version: 1, op: request.op, status: PO_STATUS.ALLOW });
    return m;
  });
}

/** An echo service that answers every frame with its own bytes. */
function echoService(kernel: Kernel, name: string): { task: Task; endpoint: SendCap } {
  const task = kernel.spawn(name);
  const { recv, send } = kernel.createEndpoint(task);
  task.serve(recv, (msg) => msg.frame);
  return { task, endpoint: send };
}

interface Boot {
  kernel: Kernel;
  init: InitLiteHandle;
  policyd: FakePolicyd;
  logd: { task: Task; endpoint: SendCap };
  client: Task;
  router: SendCap;
  setMode(m: PolicyMode): void;
}

function boot(options: { connect?: boolean; client?: string } = {}): Boot {
  const kernel = new Kernel();
  let mode: PolicyMode = 'allow';
  const policyd = fakePolicyd(kernel, () => mode);
  const init = startInitLite(kernel, { policyTimeoutMs: 20 });
  if (options.connect !== false) init.connectPolicyd(kernel.grant(policyd.endpoint, init.task));
  const logd = echoService(kernel, 'logd');
  init.register('logd', kernel.grant(logd.endpoint, init.task));
  const client = kernel.spawn(options.client ?? 'selftest-client');
  const router = kernel.grant(init.endpoint, client);
  return { kernel, init, policyd, logd, client, router, setMode: (m) => (mode = m) };
}

describe(startInitLite, () => {
  test('route allowed: the caller gets a working right to the service, asked as ROUTE v3 about the caller', async () => {
    const b = boot();
    const out = await new RouteClient(b.client, b.router).route('logd');
    expect(out.status).toBe('ok');
    if (out.status !== 'ok') return;
    const reply = await b.client.call(out.cap, Uint8Array.of(7, 8));
    expect([...reply.frame]).toEqual([7, 8]);
    expect(reply.senderServiceId).toBe(b.logd.task.serviceId);
    expect(b.policyd.seen).toEqual([
      {
        sender: b.init.task.serviceId,
        request: {
          version: 3,
          op: 2,
          nonce: expect.any(Number),
          requesterId: b.client.serviceId,
          targetId: serviceIdFromName('logd'),
        },
      },
    ]);
  });

  test('test_reject_route_denied: no right reaches the caller, and a right taken from another task is NO_RIGHT', async () => {
    const b = boot();
    b.setMode('deny');
    const router = new RouteClient(b.client, b.router);
    expect(await router.route('logd')).toEqual({ status: 'deny' });
    // The only rights to logd are init-lite's and logd's own; neither works in the caller's hands.
    const stolen = b.kernel.grant(b.logd.endpoint, b.init.task);
    await expect(b.client.call(stolen, Uint8Array.of(1))).rejects.toMatchObject({ code: 'NO_RIGHT' });
    await expect(b.client.call(b.logd.endpoint, Uint8Array.of(1))).rejects.toBeInstanceOf(IpcError);
  });

  test('deny comes before NOT_FOUND: an unregistered name is NOT_FOUND only when policyd allows', async () => {
    const b = boot();
    const router = new RouteClient(b.client, b.router);
    expect(await router.route('nosuch')).toEqual({ status: 'not-found' });
    b.setMode('deny');
    expect(await router.route('nosuch')).toEqual({ status: 'deny' });
    expect(b.policyd.seen).toHaveLength(2);
  });

  test('test_reject_route_to_a_right_init_lite_does_not_hold: DENY, nothing moves', async () => {
    const b = boot();
    const keystored = echoService(b.kernel, 'keystored');
    b.init.register('keystored', keystored.endpoint); // keystored's own handle, useless to init-lite
    expect(await new RouteClient(b.client, b.router).route('keystored')).toEqual({ status: 'deny' });
    expect((await new RouteClient(b.client, b.router).route('logd')).status).toBe('ok');
  });

  /** Kills the boot's logd and starts a new one whose echo carries a tag, so its replies are told apart. */
  function restartLogd(b: Boot): SendCap {
    b.kernel.kill(b.logd.task);
    const task = b.kernel.spawn('logd');
    const { recv, send } = b.kernel.createEndpoint(task);
    task.serve(recv, (msg) => Uint8Array.of(0xee, ...msg.frame));
    b.logd = { task, endpoint: send };
    return send;
  }

  test('after replace, ROUTE hands out a working right to the new endpoint, still asking policyd first', async () => {
    const b = boot();
    const router = new RouteClient(b.client, b.router);
    const before = await router.route('logd');
    if (before.status !== 'ok') throw new Error(`route answered ${before.status}`);
    const fresh = restartLogd(b);
    b.init.replace('logd', b.kernel.grant(fresh, b.init.task));
    const after = await router.route('logd');
    if (after.status !== 'ok') throw new Error(`route answered ${after.status}`);
    expect([...(await b.client.call(after.cap, Uint8Array.of(7))).frame]).toEqual([0xee, 7]);
    await expect(b.client.call(before.cap, Uint8Array.of(7))).rejects.toMatchObject({ code: 'PEER_CLOSED' });
    expect(b.policyd.seen.map((a) => a.request)).toMatchObject([
      { version: 3, op: 2, requesterId: b.client.serviceId, targetId: serviceIdFromName('logd') },
      { version: 3, op: 2, requesterId: b.client.serviceId, targetId: serviceIdFromName('logd') },
    ]);
  });

  test('test_reject_old_right_after_replace: every later ROUTE reaches only the new endpoint', async () => {
    const b = boot();
    const fresh = restartLogd(b);
    b.init.replace('logd', b.kernel.grant(fresh, b.init.task));
    const router = new RouteClient(b.client, b.router);
    for (let i = 0; i < 3; i++) {
      const out = await router.route('logd');
      if (out.status !== 'ok') throw new Error(`route answered ${out.status}`);
      expect([...(await b.client.call(out.cap, Uint8Array.of(i))).frame]).toEqual([0xee, i]);
    }
  });

  test('test_reject_route_after_replace_when_policyd_denies: no right to the new endpoint', async () => {
    const b = boot();
    b.init.replace('logd', b.kernel.grant(restartLogd(b), b.init.task));
    b.setMode('deny');
    expect(await new RouteClient(b.client, b.router).route('logd')).toEqual({ status: 'deny' });
    expect(b.policyd.seen).toHaveLength(1);
  });

  test("replace releases the old right from init-lite's cap table; ROUTE moves a working copy of the new one", async () => {
    const b = boot();
    const old = b.kernel.grant(b.logd.endpoint, b.init.task);
    b.init.replace('logd', old);
    const fresh = b.kernel.grant(restartLogd(b), b.init.task);
    b.init.replace('logd', fresh);
    expect(() => b.init.task.duplicate(old)).toThrow(expect.objectContaining({ code: 'NO_RIGHT' }));
    const out = await new RouteClient(b.client, b.router).route('logd');
    if (out.status !== 'ok') throw new Error(`route answered ${out.status}`);
    expect([...(await b.client.call(out.cap, Uint8Array.of(3))).frame]).toEqual([0xee, 3]);
    // The copy moved to the caller is the caller's own: init-lite's right is still there for the next ROUTE.
    expect(() => b.init.task.duplicate(fresh)).not.toThrow();
  });

  test('2000 restarts and replaces of one name keep routing (1024 slots would run out without release)', async () => {
    const b = boot();
    const router = new RouteClient(b.client, b.router);
    for (let i = 1; i <= 2000; i++) {
      b.init.replace('logd', b.kernel.grant(restartLogd(b), b.init.task));
      if (i % 250 !== 0) continue;
      const out = await router.route('logd');
      if (out.status !== 'ok') throw new Error(`route after replace ${i} answered ${out.status}`);
      expect([...(await b.client.call(out.cap, Uint8Array.of(i % 256))).frame]).toEqual([0xee, i % 256]);
    }
  });

  test('1100 callers that die before their OK reply leave no copy behind in init-lite (the kernel releases it)', async () => {
    const b = boot();
    for (let i = 0; i < 1100; i++) {
      const caller = b.kernel.spawn('selftest-client.dying');
      const pending = caller.call(b.kernel.grant(b.init.endpoint, caller), encodeRouteRequest('logd'));
      b.kernel.kill(caller);
      await expect(pending).rejects.toMatchObject({ code: 'TASK_DEAD' });
      while (b.policyd.seen.length <= i) await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await new RouteClient(b.client, b.router).route('logd')).status).toBe('ok');
  });

  // Replaces where the old handle must NOT be released (still in use) or cannot be (never init-lite's).
  const keptRoutable: ReadonlyArray<readonly [string, (b: Boot) => readonly string[]]> = [
    ['the same handle again', (b) => {
      const current = b.kernel.grant(b.logd.endpoint, b.init.task);
      b.init.replace('logd', current);
      b.init.replace('logd', current);
      return ['logd'];
    }],
    ['a handle another name still uses', (b) => {
      const shared = b.kernel.grant(b.logd.endpoint, b.init.task);
      b.init.replace('logd', shared);
      b.init.register('logd.mirror', shared);
      b.init.replace('logd', b.kernel.grant(b.logd.endpoint, b.init.task));
      return ['logd', 'logd.mirror'];
    }],
    ["someone else's handle registered before (release fails, nothing of init-lite's to free)", (b) => {
      const keystored = echoService(b.kernel, 'keystored');
      b.init.register('keystored', keystored.endpoint);
      b.init.replace('keystored', b.kernel.grant(keystored.endpoint, b.init.task));
      return ['keystored'];
    }],
  ];
  for (const [input, arrange] of keptRoutable) {
    test(`replace with ${input} leaves every entry routable`, async () => {
      const b = boot();
      const router = new RouteClient(b.client, b.router);
      for (const name of arrange(b)) {
        const out = await router.route(name);
        if (out.status !== 'ok') throw new Error(`route ${name} answered ${out.status}`);
        expect([...(await b.client.call(out.cap, Uint8Array.of(5))).frame]).toEqual([5]);
      }
    });
  }

  test('test_reject_replace_of_an_unregistered_name: NOT_REGISTERED, and the name stays unroutable', async () => {
    const b = boot();
    const keystored = echoService(b.kernel, 'keystored');
    expect(() => b.init.replace('keystored', b.kernel.grant(keystored.endpoint, b.init.task))).toThrow(
      expect.objectContaining({ code: 'NOT_REGISTERED' }),
    );
    expect(await new RouteClient(b.client, b.router).route('keystored')).toEqual({ status: 'not-found' });
  });

  const failClosed: ReadonlyArray<readonly [string, (b: Boot) => void]> = [
    ['policyd not connected', () => undefined],
    ['policyd garbage reply', (b) => b.setMode('garbage')],
    ['policyd wrong nonce', (b) => b.setMode('wrong-nonce')],
    ['policyd reply to another op', (b) => b.setMode('wrong-op')],
    ['policyd v1 reply to a v3 request', (b) => b.setMode('v1-allow')],
    ['policyd silent', (b) => b.kernel.faults.mute(b.policyd.task)],
    ['policyd killed', (b) => b.kernel.kill(b.policyd.task)],
  ];
  for (const [input, arrange] of failClosed) {
    test(`test_reject_route_when_${input.replaceAll(/\W+/g, '_')}`, async () => {
      const b = boot({ connect: input !== 'policyd not connected' });
      arrange(b);
      expect(await new RouteClient(b.client, b.router).route('logd')).toEqual({ status: 'deny' });
    });
  }

  for (const [mode, status] of [
    ['allow', 'ok'],
    ['deny', 'deny'],
  ] as const) {
    test(`bundlemgrd → execd follows policyd exactly: ${mode}`, async () => {
      const b = boot({ client: 'bundlemgrd' });
      const execd = echoService(b.kernel, 'execd');
      b.init.register('execd', b.kernel.grant(execd.endpoint, b.init.task));
      b.setMode(mode);
      const out = await new RouteClient(b.client, b.router).route('execd');
      expect(out.status).toBe(status);
      expect('cap' in out).toBe(mode === 'allow');
      expect(b.policyd.seen.map((a) => a.request)).toMatchObject([
        { version: 3, op: 2, requesterId: serviceIdFromName('bundlemgrd'), targetId: serviceIdFromName('execd') },
      ]);
    });
  }

  const badFrames: ReadonlyArray<readonly [string, Uint8Array, RouteStatus]> = [
    ['truncated', Uint8Array.of(0x52, 0x54, 1), RouteStatus.MALFORMED],
    ['bad magic', Uint8Array.of(0x58, 0x58, 1, 1, 1, 0x61), RouteStatus.MALFORMED],
    ['unknown op', Uint8Array.of(0x52, 0x54, 1, 9, 1, 0x61), RouteStatus.UNSUPPORTED],
    ['65 bytes', new FrameWriter(65).bytes(Uint8Array.of(0x52, 0x54, 1, 1, 48)).bytes(new Uint8Array(60)).finish(), RouteStatus.TOO_LARGE],
    ['49-byte name', new FrameWriter(64).bytes(Uint8Array.of(0x52, 0x54, 1, 1, 49)).bytes(new Uint8Array(49).fill(0x61)).finish(), RouteStatus.TOO_LARGE],
  ];
  for (const [input, frame, status] of badFrames) {
    test(`test_reject_rt_frame_${input.replaceAll(/\W+/g, '_')}`, async () => {
      const b = boot();
      const reply = await b.client.call(b.router, frame);
      expect(reply.cap).toBeUndefined();
      expect(reply.frame[4]).toBe(status);
      expect(b.policyd.seen).toHaveLength(0);
    });
  }

  test('test_reject_frame_over_the_endpoint_bound at the sender', async () => {
    const b = boot();
    await expect(b.client.call(b.router, new Uint8Array(513))).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
  });

  test('test_reject_connect_policyd_twice', () => {
    const b = boot();
    expect(() => b.init.connectPolicyd(b.kernel.grant(b.policyd.endpoint, b.init.task))).toThrow(
      expect.objectContaining({ code: 'ALREADY_CONNECTED' }),
    );
  });

  test('property: random frames get a well-formed RT reply, and a right only with OK', async () => {
    const b = boot();
    const names = fc.constantFrom('logd', 'nosuch', 'execd', 'Logd', '');
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc.tuple(fc.nat(3), fc.nat(3), names).map(([v, op, n]) =>
        Uint8Array.of(0x52, 0x54, v, op, n.length, ...new TextEncoder().encode(n)),
      ),
    );
    await fc.assert(
      fc.asyncProperty(frames, fc.constantFrom<PolicyMode>('allow', 'deny', 'garbage'), async (frame, mode) => {
        b.setMode(mode);
        const reply = await b.client.call(b.router, frame);
        expect(reply.frame.byteLength).toBe(5);
        expect([...reply.frame.slice(0, 3)]).toEqual([0x52, 0x54, 1]);
        const status = reply.frame[3] === 0x81 ? decodeRouteReply(reply.frame) : reply.frame[4];
        expect(reply.cap !== undefined).toBe(status === RouteStatus.OK);
        if (status === RouteStatus.OK) expect(mode).toBe('allow');
      }),
      { numRuns: 300 },
    );
  });
});
