import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, codeOf } from '../test-support/error-code.js';
import type { RecvCap, SendCap } from './cap.js';
import { IpcError } from './ipc-error.js';
import { IPC_LIMITS } from './ipc-limits.js';
import { Kernel } from './kernel.js';
import type { Incoming, Outgoing, Task } from './task.js';

/**
 * Attacks from one ordinary task on the kernel's own bounds (issue #13): lying frame sizes, options
 * read twice, rights pushed into a receiver's table, one sender filling a shared queue.
 */

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The IpcError code a promise settles with, 'ok' when it resolves; any other rejection fails the test. */
async function settled(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IpcError) return error.code;
    throw error;
  }
  return 'ok';
}

/** A 1 MiB array that claims 9 bytes through an own property. */
function lyingOwn(prop: 'byteLength' | 'length', size = 1 << 20): Uint8Array {
  const f = new Uint8Array(size);
  Object.defineProperty(f, prop, { value: 9 });
  return f;
}

class LyingSubclass extends Uint8Array {
  override get byteLength(): number {
    return 9;
  }
  override get length(): number {
    return 9;
  }
}

function detached(): Uint8Array {
  const f = new Uint8Array(64);
  structuredClone(f.buffer, { transfer: [f.buffer] });
  return f;
}

interface Rig {
  kernel: Kernel;
  server: Task;
  client: Task;
  recv: RecvCap;
  route: SendCap;
  seen: Incoming[];
}

function rig(options: { maxFrame?: number; queueDepth?: number } = {}, reply?: (msg: Incoming) => Outgoing): Rig {
  const kernel = new Kernel();
  const server = kernel.spawn('server');
  const client = kernel.spawn('client');
  const { recv, send } = kernel.createEndpoint(server, options);
  const seen: Incoming[] = [];
  server.serve(recv, (msg) => {
    seen.push(msg);
    return reply === undefined ? msg.frame : reply(msg);
  });
  return { kernel, server, client, recv, route: kernel.grant(send, client), seen };
}

/** Every frame a hostile caller can pass, with the code the kernel must answer. */
const HOSTILE_FRAMES: readonly { name: string; make: () => unknown; code: string }[] = [
  { name: 'own byteLength 9 on 1 MiB', make: () => lyingOwn('byteLength'), code: 'FRAME_TOO_LARGE' },
  { name: 'own length 9 on 1 MiB', make: () => lyingOwn('length'), code: 'FRAME_TOO_LARGE' },
  { name: 'subclass with byteLength getter, 4 MiB', make: () => new LyingSubclass(4 << 20), code: 'FRAME_TOO_LARGE' },
  {
    name: 'inherited byteLength on a prototype swap',
    make: () => Object.setPrototypeOf(new Uint8Array(1 << 20), LyingSubclass.prototype),
    code: 'FRAME_TOO_LARGE',
  },
  { name: 'Proxy around a Uint8Array', make: () => new Proxy(new Uint8Array(4), {}), code: 'BAD_VALUE' },
  {
    name: 'Proxy with throwing traps',
    make: () =>
      new Proxy(new Uint8Array(4), {
        get: () => {
          throw new Error('boom');
        },
        getPrototypeOf: () => {
          throw new Error('boom');
        },
      }),
    code: 'BAD_VALUE',
  },
  { name: 'DataView', make: () => new DataView(new ArrayBuffer(4)), code: 'BAD_VALUE' },
  { name: 'Uint16Array', make: () => new Uint16Array(2), code: 'BAD_VALUE' },
  { name: 'detached buffer', make: detached, code: 'BAD_VALUE' },
  { name: 'a plain object posing as a frame', make: () => ({ byteLength: 1, length: 1, 0: 1 }), code: 'BAD_VALUE' },
  {
    name: 'object with Uint8Array prototype',
    make: () => Object.create(Uint8Array.prototype) as unknown,
    code: 'BAD_VALUE',
  },
];

describe('hostile frames (issue #13)', () => {
  describe.each(HOSTILE_FRAMES)('test_reject_frame: $name', ({ make, code }) => {
    it('send refuses it before anything is copied or queued', async () => {
      const { client, route, seen } = rig();
      expect(codeOf(() => client.send(route, make() as Uint8Array))).toBe(code);
      await flush();
      expect(seen).toHaveLength(0);
    });

    it('call rejects with it', async () => {
      const { client, route, seen } = rig();
      expect(await settled(client.call(route, make() as Uint8Array))).toBe(code);
      expect(seen).toHaveLength(0);
    });

    it('reply: the caller gets a typed error, the server keeps serving', async () => {
      let hostile = true;
      const { client, route } = rig({}, (msg) => (hostile ? (make() as Uint8Array) : msg.frame));
      const got = await settled(client.call(route, bytes(1)));
      expect(got).toBe(code === 'BAD_VALUE' ? 'SERVER_FAULT' : code);
      hostile = false;
      expect((await client.call(route, bytes(2))).frame).toEqual(bytes(2));
    });
  });

  it('16 lying 600 MiB-class sends make no copy: each refused by the real length (scaled: 16 × 8 MiB)', () => {
    const { client, route } = rig();
    const big = new Uint8Array(8 << 20);
    Object.defineProperty(big, 'byteLength', { value: 9 });
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 16; i++) expect(codeOf(() => client.send(route, big))).toBe('FRAME_TOO_LARGE');
    // The old kernel held 16 copies here (128 MiB at this scale, 9.6 GiB at the issue's).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 << 20);
  });

  it('a subclass within bounds is copied by its real bytes into a plain private Uint8Array', async () => {
    const { client, route, seen } = rig();
    const f = new LyingSubclass(3);
    f.set([1, 2, 3]);
    client.send(route, f);
    await flush();
    expect(Object.getPrototypeOf(seen[0]!.frame)).toBe(Uint8Array.prototype);
    expect([...seen[0]!.frame]).toEqual([1, 2, 3]);
  });

  it('a view into a larger buffer sends only its own bytes, whatever buffer/byteOffset getters say', async () => {
    const { client, route, seen } = rig();
    const backing = Uint8Array.from([9, 9, 1, 2, 9]);
    const view = new Uint8Array(backing.buffer, 2, 2);
    Object.defineProperty(view, 'byteOffset', { value: 0 });
    Object.defineProperty(view, 'buffer', { value: new ArrayBuffer(1000) });
    client.send(route, view);
    await flush();
    expect([...seen[0]!.frame]).toEqual([1, 2]);
  });

  it('a SharedArrayBuffer-backed frame is copied into private memory and bounded', async () => {
    const { client, route, seen } = rig();
    const shared = new Uint8Array(new SharedArrayBuffer(4));
    shared.set([4, 3, 2, 1]);
    client.send(route, shared);
    shared[0] = 0;
    await flush();
    expect([...seen[0]!.frame]).toEqual([4, 3, 2, 1]);
    expect(seen[0]!.frame.buffer).toBeInstanceOf(ArrayBuffer);
    expect(codeOf(() => client.send(route, new Uint8Array(new SharedArrayBuffer(513))))).toBe('FRAME_TOO_LARGE');
  });

  it('frozen and sealed (empty) frames and frozen options are fine', async () => {
    const { client, route, seen } = rig();
    client.send(route, Object.freeze(new Uint8Array(0)), Object.freeze({}));
    expect(await settled(client.call(route, Object.seal(new Uint8Array(0)), Object.freeze({ timeoutMs: 50 })))).toBe('ok');
    expect(seen).toHaveLength(2);
  });

  it('test_reject_reply_getter: a reply object with a frame getter is SERVER_FAULT, the getter never runs', async () => {
    let reads = 0;
    const { client, route } = rig({ maxFrame: 8 }, () => ({
      get frame(): Uint8Array {
        reads++;
        return reads === 1 ? bytes(1) : new Uint8Array(1 << 20);
      },
    }));
    expect(await settled(client.call(route, bytes()))).toBe('SERVER_FAULT');
    expect(reads).toBe(0);
  });

  it('a Proxy reply object with throwing traps is SERVER_FAULT, not a crash', async () => {
    const { client, route } = rig(
      {},
      () =>
        new Proxy(
          {},
          {
            get: () => {
              throw new Error('boom');
            },
            getOwnPropertyDescriptor: () => {
              throw new Error('boom');
            },
            ownKeys: () => {
              throw new Error('boom');
            },
          },
        ) as Outgoing,
    );
    expect(await settled(client.call(route, bytes()))).toBe('SERVER_FAULT');
  });
});

describe('hostile options (issue #13)', () => {
  it('test_reject_cap_getter_swapping_to_a_victims_right: the victim keeps its right', async () => {
    const { kernel, client, route } = rig();
    const victim = kernel.spawn('victim');
    const victims = kernel.grant(route, victim);
    const own = client.duplicate(route);
    let reads = 0;
    const options = {
      get cap(): SendCap {
        return reads++ === 0 ? own : victims;
      },
    };
    const code = await settled(client.call(route, bytes(), options));
    expect(['ok', 'BAD_VALUE']).toContain(code);
    expect(reads).toBeLessThanOrEqual(1);
    expect(await settled(victim.call(victims, bytes()))).toBe('ok');
  });

  it('test_reject_cap_getter_undefined_then_cap: the 1024 bound holds', async () => {
    const kernel = new Kernel();
    const server = kernel.spawn('server');
    const client = kernel.spawn('client');
    const ep = kernel.createEndpoint(server, { queueDepth: 64 });
    const other = kernel.createEndpoint(client);
    // Fill the server's table to the brim with rights of its own.
    while (kernel.rightsHeld(server) < IPC_LIMITS.maxCapsPerTask) server.duplicate(ep.send);
    const route = kernel.grant(ep.send, client);
    let reads = 0;
    const options = {
      get cap(): SendCap | undefined {
        return reads++ % 2 === 0 ? undefined : client.duplicate(other.send);
      },
    };
    for (let i = 0; i < 8; i++) codeOf(() => client.send(route, bytes(), options));
    expect(kernel.rightsHeld(server)).toBeLessThanOrEqual(IPC_LIMITS.maxCapsPerTask);
  });

  it('an inherited cap option is ignored: only own data properties count', async () => {
    const { kernel, client, route, seen } = rig();
    const victim = kernel.spawn('victim');
    const victims = kernel.grant(route, victim);
    const options = Object.create({ cap: victims }) as { cap?: SendCap };
    expect(await settled(client.call(route, bytes(), options))).toBe('ok');
    expect(seen[0]!.cap).toBeUndefined();
    expect(await settled(victim.call(victims, bytes()))).toBe('ok');
  });

  it('timeoutMs is read once', async () => {
    const { client, route } = rig();
    let reads = 0;
    const options = {
      get timeoutMs(): number {
        return reads++ === 0 ? 10 : -1;
      },
    };
    expect(['ok', 'BAD_VALUE']).toContain(await settled(client.call(route, bytes(), options)));
    expect(reads).toBeLessThanOrEqual(1);
  });

  it.each([
    ['throwing ownKeys', { ownKeys: (): never => { throw new Error('boom'); } }, ['BAD_VALUE']],
    ['throwing getOwnPropertyDescriptor', { getOwnPropertyDescriptor: (): never => { throw new Error('boom'); } }, ['BAD_VALUE']],
    ['throwing get', { get: (): never => { throw new Error('boom'); } }, ['ok', 'BAD_VALUE']],
    ['throwing getPrototypeOf', { getPrototypeOf: (): never => { throw new Error('boom'); } }, ['ok', 'BAD_VALUE']],
  ])('test_reject_options_proxy with %s: a typed error on send, call, createEndpoint, Kernel', async (_, handler, codes) => {
    const { kernel, client, server, route } = rig();
    const options = new Proxy({ timeoutMs: 5 }, handler as ProxyHandler<object>);
    const endpointOptions = new Proxy({ queueDepth: 4 }, handler as ProxyHandler<object>);
    const kernelOptions = new Proxy({ tickNs: 1n }, handler as ProxyHandler<object>);
    expect(codes).toContain(codeOf(() => client.send(route, bytes(), new Proxy({ cap: undefined }, handler as ProxyHandler<object>))));
    expect(codes).toContain(await settled(client.call(route, bytes(), options)));
    expect(codes).toContain(codeOf(() => kernel.createEndpoint(server, endpointOptions)));
    expect(codes).toContain(codeOf(() => new Kernel(kernelOptions)));
  });

  it('test_reject_throwing_getter_option', async () => {
    const { client, route } = rig();
    const options = {
      get cap(): never {
        throw new RangeError('not an IpcError');
      },
    };
    expect(codeOf(() => client.send(route, bytes(), options))).toBe('BAD_VALUE');
    expect(await settled(client.call(route, bytes(), options))).toBe('BAD_VALUE');
  });
});

describe('rights a receiver did not ask for (issue #13)', () => {
  it('a right that arrives with a message is released when the handler returns', async () => {
    const kernel = new Kernel();
    const server = kernel.spawn('server');
    const client = kernel.spawn('client');
    const ep = kernel.createEndpoint(server);
    let got: SendCap | undefined;
    server.serve(ep.recv, (msg) => {
      got = msg.cap;
      return bytes(kernel.rightsHeld(server));
    });
    const route = kernel.grant(ep.send, client);
    const base = kernel.rightsHeld(server);
    const reply = await client.call(route, bytes(), { cap: client.duplicate(route) });
    expect(reply.frame).toEqual(bytes(base + 1));
    expect(kernel.rightsHeld(server)).toBe(base);
    expect(codeOf(() => server.send(got!, bytes()))).toBe('NO_RIGHT');
  });

  it('msg.keepCap() keeps it', async () => {
    const kernel = new Kernel();
    const server = kernel.spawn('server');
    const client = kernel.spawn('client');
    const ep = kernel.createEndpoint(server);
    let kept: SendCap | undefined;
    server.serve(ep.recv, (msg) => {
      kept = msg.keepCap();
      return bytes();
    });
    const route = kernel.grant(ep.send, client);
    await client.call(route, bytes(), { cap: client.duplicate(route) });
    expect(kept).toBeDefined();
    expect(codeOf(() => server.send(kept!, bytes()))).toBe('ok');
  });

  it('keepCap() without a cap, or after the handler returned, keeps nothing', async () => {
    const { client, route, seen } = rig();
    await client.call(route, bytes());
    expect(seen[0]!.keepCap()).toBeUndefined();
    await client.call(route, bytes(), { cap: client.duplicate(route) });
    expect(seen[1]!.keepCap()).toBeUndefined();
  });

  it('a right forwarded or replied by the handler is not released behind its new holder', async () => {
    const kernel = new Kernel();
    const server = kernel.spawn('server');
    const client = kernel.spawn('client');
    const ep = kernel.createEndpoint(server);
    server.serve(ep.recv, (msg) => (msg.cap === undefined ? bytes() : { frame: bytes(), cap: msg.cap }));
    const route = kernel.grant(ep.send, client);
    const reply = await client.call(route, bytes(), { cap: client.duplicate(route) });
    expect(codeOf(() => client.send(reply.cap!, bytes()))).toBe('ok');
  });

  it('test_reject_rights_flood: one sender cannot push more than its share into a muted receiver', async () => {
    const kernel = new Kernel();
    const server = kernel.spawn('server');
    const ep = kernel.createEndpoint(server, { queueDepth: IPC_LIMITS.maxQueueDepth });
    server.serve(ep.recv, () => undefined);
    const flooder = kernel.spawn('flooder');
    const honest = kernel.spawn('honest');
    const fr = kernel.grant(ep.send, flooder);
    const hr = kernel.grant(ep.send, honest);
    kernel.faults.mute(server);
    const base = kernel.rightsHeld(server);
    let sent = 0;
    for (let i = 0; i < 2000; i++) {
      const dup = flooder.duplicate(fr);
      if (codeOf(() => flooder.send(fr, bytes(), { cap: dup })) !== 'ok') {
        flooder.release(dup);
        break;
      }
      sent++;
    }
    expect(sent).toBeLessThanOrEqual(IPC_LIMITS.maxInboundCapsPerSender);
    expect(kernel.rightsHeld(server)).toBeLessThanOrEqual(base + IPC_LIMITS.maxInboundCapsPerSender);
    expect(codeOf(() => honest.send(hr, bytes(), { cap: honest.duplicate(hr) }))).toBe('ok');
    kernel.faults.unmute(server);
    await flush();
    expect(kernel.rightsHeld(server)).toBe(base);
  });
});

describe('fair queues (issue #13)', () => {
  it('test_reject_queue_flood: a flooding sender gets QUEUE_FULL itself, another is still queued and served', async () => {
    const kernel = new Kernel();
    const server = kernel.spawn('server');
    const ep = kernel.createEndpoint(server, { queueDepth: 8 });
    const order: string[] = [];
    server.serve(ep.recv, (msg) => {
      order.push(`${msg.senderServiceId === flooder.serviceId ? 'f' : 'h'}${msg.frame[0]}`);
      return msg.frame;
    });
    const flooder = kernel.spawn('flooder');
    const honest = kernel.spawn('honest');
    const fr = kernel.grant(ep.send, flooder);
    const hr = kernel.grant(ep.send, honest);
    kernel.faults.mute(server);
    let flooded = 0;
    while (codeOf(() => flooder.send(fr, bytes(flooded))) === 'ok') flooded++;
    expect(flooded).toBeLessThan(8);
    const calls = [0, 1, 2].map((i) => honest.call(hr, bytes(i)));
    kernel.faults.unmute(server);
    expect((await Promise.all(calls)).map((r) => r.frame[0])).toEqual([0, 1, 2]);
    // Round robin: the honest sender is not served behind the whole flood.
    expect(order.slice(0, 2)).toEqual(['f0', 'h0']);
    expect(order.indexOf('h2')).toBeLessThan(order.indexOf(`f${flooded - 1}`));
  });

  it('one sender alone still gets its share and FIFO order', async () => {
    const kernel = new Kernel();
    const server = kernel.spawn('server');
    const ep = kernel.createEndpoint(server, { queueDepth: 8 });
    const seen: number[] = [];
    server.serve(ep.recv, (msg) => {
      seen.push(msg.frame[0]!);
      return undefined;
    });
    const client = kernel.spawn('client');
    const route = kernel.grant(ep.send, client);
    kernel.faults.mute(server);
    let n = 0;
    while (codeOf(() => client.send(route, bytes(n))) === 'ok') n++;
    expect(n).toBe(4);
    kernel.faults.unmute(server);
    await flush();
    expect(seen).toEqual([0, 1, 2, 3]);
  });
});

/** A hostile value of any shape a caller might pass where a frame, cap or options object goes. */
function hostile(route: SendCap, victims: SendCap): fc.Arbitrary<unknown> {
  const frameish = fc.oneof(
    fc.uint8Array({ maxLength: 600 }),
    fc.nat(1 << 14).map((n) => lyingOwn('byteLength', n)),
    fc.nat(1 << 14).map((n) => new LyingSubclass(n)),
    fc.constant(new Proxy(new Uint8Array(4), {})),
    fc.constant(new DataView(new ArrayBuffer(4))),
    fc.nat(700).map((n) => new Uint8Array(new SharedArrayBuffer(n))),
    fc.constant(null),
    fc.constant(undefined),
    fc.string(),
  );
  const value = fc.oneof(frameish, fc.constant(route), fc.constant(victims), fc.integer(), fc.double());
  const getterObject = fc.dictionary(fc.constantFrom('cap', 'timeoutMs', 'frame', 'x'), fc.array(value, { minLength: 1, maxLength: 3 })).map(
    (entries) => {
      const o: Record<string, unknown> = {};
      for (const [k, values] of Object.entries(entries)) {
        let i = 0;
        Object.defineProperty(o, k, { enumerable: true, get: () => values[i++ % values.length] });
      }
      return o;
    },
  );
  const proxy = fc.constantFrom<ProxyHandler<object>>(
    {},
    {
      get: () => {
        throw new Error('boom');
      },
    },
    {
      ownKeys: () => {
        throw new Error('boom');
      },
    },
  ).map((h) => new Proxy({ timeoutMs: 5 }, h));
  return fc.oneof(value, getterObject, proxy, fc.record({ cap: value, timeoutMs: value }, { requiredKeys: [] }));
}

describe('properties: every kernel entry against hostile objects (issue #13)', () => {
  it('send/call/reply throw nothing but IpcError, deliver nothing past maxFrame, keep every table bounded', async () => {
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const kernel = new Kernel();
        const server = kernel.spawn('server');
        const client = kernel.spawn('client');
        const victim = kernel.spawn('victim');
        const ep = kernel.createEndpoint(server, { maxFrame: 512, queueDepth: 8 });
        const route = kernel.grant(ep.send, client);
        const victims = kernel.grant(ep.send, victim);
        const arb = hostile(route, victims);
        const delivered: number[] = [];
        server.serve(ep.recv, (msg) => {
          delivered.push(msg.frame.byteLength);
          return g(() => arb) as Outgoing;
        });
        for (let i = 0; i < 6; i++) {
          const frame = g(() => arb) as Uint8Array;
          const options = g(() => arb) as { timeoutMs?: number };
          if (g(() => fc.boolean())) codeOf(() => client.send(route, frame, options as object));
          else void settled(client.call(route, frame, options));
        }
        kernel.clock.advance(BigInt(IPC_LIMITS.maxTimeoutMs + 1) * 1_000_000n);
        await flush();
        await flush();
        expect(delivered.every((n) => n <= 512)).toBe(true);
        expect(await settled(victim.call(victims, bytes(1), { timeoutMs: 5 }))).not.toBe('NO_RIGHT');
        for (const t of [server, client, victim]) expect(kernel.rightsHeld(t)).toBeLessThanOrEqual(IPC_LIMITS.maxCapsPerTask);
      }),
      { numRuns: 200 },
    );
  });
});

describe('properties: the boot-role entries against hostile arguments (issue #13)', () => {
  it('spawn, createEndpoint, grant, duplicate, release, serve, rightsHeld, faults and new Kernel throw only IpcError', () => {
    const kernel = new Kernel();
    const owner = kernel.spawn('owner');
    const { recv, send } = kernel.createEndpoint(owner);
    const any = fc.oneof(
      hostile(send, send),
      fc.constant(recv),
      fc.constant(owner),
      fc.constant(new Proxy(owner, {})),
      fc.constant(Object.freeze({ kind: 'send' })),
      fc.string({ maxLength: 60 }),
      fc.constant(() => undefined),
    );
    const entries: readonly ((a: unknown, b: unknown) => unknown)[] = [
      (a) => kernel.spawn(a as string),
      (a, b) => kernel.createEndpoint(a as Task, b as object),
      (a, b) => kernel.grant(a as SendCap, b as Task),
      (a) => owner.duplicate(a as SendCap),
      (a) => owner.release(a as SendCap),
      (a, b) => owner.serve(a as RecvCap, b as () => undefined),
      (a) => kernel.rightsHeld(a as Task),
      (a) => kernel.faults.mute(a as Task),
      (a, b) => kernel.faults.dropNext(a as SendCap, b as number),
      (a, b) => kernel.faults.delayNext(a as SendCap, b as number, 1),
      (a) => new Kernel(a as object),
      (a) => kernel.kill(a as Task),
    ];
    fc.assert(
      fc.property(fc.nat(entries.length - 1), any, any, (i, a, b) => {
        if (i === entries.length - 1 && a === owner) return;
        codeOf(() => entries[i]!(a, b));
        expect(kernel.rightsHeld(owner)).toBeLessThanOrEqual(IPC_LIMITS.maxCapsPerTask);
      }),
      { numRuns: 500 },
    );
  });
});
