import { BM_OP, BundleStatus, decodeBundleRequest, encodeBundleReply, decodeExecReply, ExecClient, ExecStatus } from '@nexus/proto';
import { FrameWriter, Kernel, serviceIdFromName, type SendCap, type Task } from '@nexus/ipc';
import { startFakePolicyd, type FakePolicyd } from '@nexus/test-support';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { startExecd, type ExecdHandle } from './start-execd.js';

type PolicyMode = 'allow' | 'deny' | 'garbage' | 'wrong-nonce' | 'wrong-op';
type BundleMode = 'ok' | 'garbage';

const GARBAGE = Uint8Array.of(0x50, 0x4f, 3, 0x83, 0, 0, 0);

/** The fake policyd per `mode`: a truncated reply stands for garbage, as a half-sent frame would. */
function fakePolicyd(kernel: Kernel, mode: () => PolicyMode): FakePolicyd {
  return startFakePolicyd(kernel, (request) => {
    const m = mode();
    if (m === 'garbage') return GARBAGE;
    return m;
  });
}

/** A bundlemgrd stand-in serving QUERY with @nexus/bundlemgrd's codec over a fixed image table. */
function fakeBundlemgrd(kernel: Kernel, images: ReadonlyMap<string, number>, mode: () => BundleMode) {
  const task = kernel.spawn('bundlemgrd');
  const { recv, send } = kernel.createEndpoint(task, { maxFrame: 8192 });
  task.serve(recv, (msg) => {
    const decoded = decodeBundleRequest(msg.frame);
    if (!decoded.ok) return decoded.reply;
    if (mode() === 'garbage') return Uint8Array.of(0x42, 0x4d, 1, 0x82);
    if (decoded.request.op !== BM_OP.QUERY) return undefined;
    const imageId = images.get(decoded.request.name);
    return imageId === undefined
      ? encodeBundleReply({ op: BM_OP.QUERY, status: BundleStatus.NOT_FOUND, imageId: 0, version: '' })
      : encodeBundleReply({ op: BM_OP.QUERY, status: BundleStatus.OK, imageId, version: '1.0.0' });
  });
  return { task, endpoint: send };
}

interface Boot {
  kernel: Kernel;
  execd: ExecdHandle;
  policyd: FakePolicyd;
  bundlemgrd: ReturnType<typeof fakeBundlemgrd>;
  client: Task;
  route: SendCap;
  exec: ExecClient;
  spawned: Task[];
  setPolicy(m: PolicyMode): void;
  setBundles(m: BundleMode): void;
}

function boot(options: { policyd?: boolean; bundlemgrd?: boolean } = {}): Boot {
  const kernel = new Kernel();
  let policyMode: PolicyMode = 'allow';
  let bundleMode: BundleMode = 'ok';
  const spawned: Task[] = [];
  const policyd = fakePolicyd(kernel, () => policyMode);
  const bundlemgrd = fakeBundlemgrd(kernel, new Map([['demo.testsvc', 3]]), () => bundleMode);
  const execd = startExecd(kernel, {
    spawn: (name) => {
      const t = kernel.spawn(name);
      spawned.push(t);
      return t;
    },
    policyTimeoutMs: 20,
    bundleTimeoutMs: 20,
  });
  if (options.policyd !== false) execd.connectPolicyd(kernel.grant(policyd.endpoint, execd.task));
  if (options.bundlemgrd !== false) execd.connectBundlemgrd(kernel.grant(bundlemgrd.endpoint, execd.task));
  const client = kernel.spawn('selftest-client');
  const route = kernel.grant(execd.endpoint, client);
  const exec = new ExecClient(async (f, t) => (await client.call(route, f, { timeoutMs: t })).frame, { timeoutMs: 200 });
  return {
    kernel,
    execd,
    policyd,
    bundlemgrd,
    client,
    route,
    exec,
    spawned,
    setPolicy: (m) => (policyMode = m),
    setBundles: (m) => (bundleMode = m),
  };
}

describe(startExecd, () => {
  test('exec allowed spawns a task with the image name, asked as EXEC v3 about the CALLER', async () => {
    const b = boot();
    expect(await b.exec.spawn('demo.testsvc')).toEqual({ status: 'ok', taskId: serviceIdFromName('demo.testsvc') });
    expect(b.spawned.map((t) => [t.name, t.alive])).toEqual([['demo.testsvc', true]]);
    expect(b.policyd.seen).toEqual([
      {
        sender: b.execd.task.serviceId,
        request: { version: 3, op: 3, nonce: expect.any(Number), requesterId: b.client.serviceId, imageId: 3 },
      },
    ]);
  });

  test('test_reject_exec_without_proc_spawn: policyd DENY spawns nothing', async () => {
    const b = boot();
    b.setPolicy('deny');
    expect(await b.exec.spawn('demo.testsvc')).toEqual({ status: 'deny' });
    expect(b.spawned).toEqual([]);
    expect(b.policyd.seen.map((a) => a.request)).toMatchObject([{ op: 3, requesterId: b.client.serviceId }]);
  });

  test('exec of an image that is not installed is NOT_FOUND, and policyd is not asked', async () => {
    const b = boot();
    expect(await b.exec.spawn('not.installed')).toEqual({ status: 'not-found' });
    expect(b.policyd.seen).toEqual([]);
    expect(b.spawned).toEqual([]);
  });

  test('a second exec of a running image is SPAWN_FAILED', async () => {
    const b = boot();
    expect((await b.exec.spawn('demo.testsvc')).status).toBe('ok');
    expect(await b.exec.spawn('demo.testsvc')).toEqual({ status: 'spawn-failed' });
    expect(b.spawned).toHaveLength(1);
  });

  const failClosed: ReadonlyArray<readonly [string, (b: Boot) => void]> = [
    ['policyd not connected', () => undefined],
    ['bundlemgrd not connected', () => undefined],
    ['policyd malformed reply', (b) => b.setPolicy('garbage')],
    ['policyd wrong nonce', (b) => b.setPolicy('wrong-nonce')],
    ['policyd reply to another op', (b) => b.setPolicy('wrong-op')],
    ['policyd silent', (b) => b.kernel.faults.mute(b.policyd.task)],
    ['policyd killed', (b) => b.kernel.kill(b.policyd.task)],
    ['bundlemgrd garbage reply', (b) => b.setBundles('garbage')],
    ['bundlemgrd silent', (b) => b.kernel.faults.mute(b.bundlemgrd.task)],
    ['bundlemgrd killed', (b) => b.kernel.kill(b.bundlemgrd.task)],
  ];
  for (const [input, arrange] of failClosed) {
    test(`test_reject_exec_when_${input.replaceAll(/\W+/g, '_')}`, async () => {
      const b = boot({
        policyd: input !== 'policyd not connected',
        bundlemgrd: input !== 'bundlemgrd not connected',
      });
      arrange(b);
      expect(await b.exec.spawn('demo.testsvc')).toEqual({ status: 'deny' });
      expect(b.spawned).toEqual([]);
    });
  }

  const hooks: ReadonlyArray<readonly [string, (kernel: Kernel) => (name: string) => Task]> = [
    [
      'that throws',
      () => () => {
        throw new Error('kernel refused');
      },
    ],
    ['that starts another image', (kernel) => () => kernel.spawn('other.svc')],
  ];
  for (const [input, hook] of hooks) {
    test(`test_reject_spawn_hook_${input.replaceAll(/\W+/g, '_')}: SPAWN_FAILED`, async () => {
      const kernel = new Kernel();
      const policyd = fakePolicyd(kernel, () => 'allow');
      const bundlemgrd = fakeBundlemgrd(kernel, new Map([['demo.testsvc', 3]]), () => 'ok');
      const execd = startExecd(kernel, { spawn: hook(kernel) });
      execd.connectPolicyd(kernel.grant(policyd.endpoint, execd.task));
      execd.connectBundlemgrd(kernel.grant(bundlemgrd.endpoint, execd.task));
      const client = kernel.spawn('selftest-client');
      const route = kernel.grant(execd.endpoint, client);
      const exec = new ExecClient(async (f, t) => (await client.call(route, f, { timeoutMs: t })).frame);
      expect(await exec.spawn('demo.testsvc')).toEqual({ status: 'spawn-failed' });
    });
  }

  const badFrames: ReadonlyArray<readonly [string, Uint8Array, ExecStatus]> = [
    ['truncated', Uint8Array.of(0x45, 0x58, 1, 1), ExecStatus.MALFORMED],
    ['bad magic', Uint8Array.of(0x58, 0x45, 1, 1, 1, 0x61), ExecStatus.MALFORMED],
    ['unknown version', Uint8Array.of(0x45, 0x58, 3, 1, 1, 0x61), ExecStatus.UNSUPPORTED],
    ['65 bytes', new FrameWriter(65).bytes(Uint8Array.of(0x45, 0x58, 1, 1, 48)).bytes(new Uint8Array(60)).finish(), ExecStatus.TOO_LARGE],
    ['49-byte name', new FrameWriter(64).bytes(Uint8Array.of(0x45, 0x58, 1, 1, 49)).bytes(new Uint8Array(49).fill(0x61)).finish(), ExecStatus.TOO_LARGE],
  ];
  for (const [input, frame, status] of badFrames) {
    test(`test_reject_ex_frame_${input.replaceAll(/\W+/g, '_')}`, async () => {
      const b = boot();
      const reply = await b.client.call(b.route, frame);
      expect(reply.frame.byteLength).toBe(13);
      expect(reply.frame[4]).toBe(status);
      expect(b.policyd.seen).toEqual([]);
      expect(b.spawned).toEqual([]);
    });
  }

  test('test_reject_frame_over_the_endpoint_bound at the sender', async () => {
    const b = boot();
    await expect(b.client.call(b.route, new Uint8Array(513))).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
  });

  test('test_reject_connect_twice', () => {
    const b = boot();
    expect(() => b.execd.connectPolicyd(b.kernel.grant(b.policyd.endpoint, b.execd.task))).toThrow(
      expect.objectContaining({ code: 'ALREADY_CONNECTED' }),
    );
    expect(() => b.execd.connectBundlemgrd(b.kernel.grant(b.bundlemgrd.endpoint, b.execd.task))).toThrow(
      expect.objectContaining({ code: 'ALREADY_CONNECTED' }),
    );
  });

  test('property: random frames get a well-formed EX reply, and a task only with OK after ALLOW', async () => {
    const b = boot();
    const names = fc.constantFrom('demo.testsvc', 'not.installed', 'Demo', '');
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc.tuple(fc.nat(3), fc.nat(3), names).map(([v, op, n]) =>
        Uint8Array.of(0x45, 0x58, v, op, n.length, ...new TextEncoder().encode(n)),
      ),
    );
    await fc.assert(
      fc.asyncProperty(frames, fc.constantFrom<PolicyMode>('allow', 'deny', 'garbage'), async (frame, mode) => {
        b.setPolicy(mode);
        const before = b.spawned.length;
        const reply = await b.client.call(b.route, frame);
        expect(reply.cap).toBeUndefined();
        expect(reply.frame.byteLength).toBe(13);
        const status = reply.frame[3] === 0x81 ? decodeExecReply(reply.frame).status : reply.frame[4];
        expect(b.spawned.length - before).toBe(status === ExecStatus.OK ? 1 : 0);
        if (status === ExecStatus.OK) {
          expect(mode).toBe('allow');
          b.kernel.kill(b.spawned.at(-1) as Task);
        }
      }),
      { numRuns: 300 },
    );
  });
});
