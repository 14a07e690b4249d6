import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, codeOf } from '../test-support/error-code.js';
import type { RecvCap, SendCap } from './cap.js';
import { IpcError } from './ipc-error.js';
import { IPC_LIMITS } from './ipc-limits.js';
import { Kernel } from './kernel.js';
import { serviceIdFromName } from './service-id.js';
import type { Incoming, Task } from './task.js';

const MS = 1_000_000n;
/** Lets every queued microtask and one macrotask turn run, so pending deliveries happen. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function rejection(promise: Promise<unknown>): Promise<IpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IpcError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

interface Pair {
  kernel: Kernel;
  server: Task;
  client: Task;
  recv: RecvCap;
  route: SendCap;
  seen: Incoming[];
}

/** A server that records every message and echoes its frame, plus a client holding a route to it. */
function echoPair(options?: { maxFrame?: number; queueDepth?: number; maxPerSender?: number }, serve = true): Pair {
  const kernel = new Kernel();
  const server = kernel.spawn('server');
  const client = kernel.spawn('client');
  const { recv, send } = kernel.createEndpoint(server, options);
  const seen: Incoming[] = [];
  if (serve) {
    server.serve(recv, (msg) => {
      seen.push(msg);
      return msg.frame;
    });
  }
  return { kernel, server, client, recv, route: kernel.grant(send, client), seen };
}

interface TransferRig {
  kernel: Kernel;
  server: Task;
  client: Task;
  /** The client's route to the server. */
  route: SendCap;
  /** A right to `target` (which answers every message with `bytes(answer)`), held by the client. */
  moved: SendCap;
  /** The right the server received with its last message. */
  got: () => SendCap | undefined;
}

/** A client holding a right to a third task, and a server that keeps any right sent to it. */
function transferRig(answer: number): TransferRig {
  const kernel = new Kernel();
  const server = kernel.spawn('server');
  const client = kernel.spawn('client');
  const target = kernel.spawn('target');
  const ep = kernel.createEndpoint(server);
  const targetEp = kernel.createEndpoint(target);
  target.serve(targetEp.recv, () => bytes(answer));
  let got: SendCap | undefined;
  server.serve(ep.recv, (msg) => {
    got = msg.keepCap();
    return undefined;
  });
  return { kernel, server, client, route: kernel.grant(ep.send, client), moved: kernel.grant(targetEp.send, client), got: () => got };
}

describe(Kernel, () => {
  describe('spawn', () => {
    for (const name of ['init-lite', 'policyd', 'demo.testsvc', 'a', 'x'.repeat(48)]) {
      it(`${name.slice(0, 12)} gets serviceIdFromName`, () => {
        const task = new Kernel().spawn(name);
        expect(task.serviceId).toBe(serviceIdFromName(name));
        expect(task.name).toBe(name);
        expect(task.alive).toBe(true);
      });
    }

    const invalid: ReadonlyArray<[string, unknown]> = [
      ['uppercase', 'Policyd'],
      ['space', 'policy d'],
      ['empty', ''],
      ['49 bytes', 'x'.repeat(49)],
      ['non-ASCII', 'pölicyd'],
      ['slash', 'a/b'],
      ['not a string', 42],
    ];
    for (const [label, name] of invalid) {
      it(`test_reject_non_canonical_name ${label}`, () => {
        expect(codeOf(() => new Kernel().spawn(name as string))).toBe('NAME_INVALID');
      });
    }

    it('test_reject_duplicate_name while running; free again after kill', () => {
      const kernel = new Kernel();
      const first = kernel.spawn('policyd');
      expect(codeOf(() => kernel.spawn('policyd'))).toBe('NAME_TAKEN');
      kernel.kill(first);
      const second = kernel.spawn('policyd');
      expect(second).not.toBe(first);
      expect(second.serviceId).toBe(first.serviceId);
    });

    it('test_reject_id_collision (test-only idOf hook)', () => {
      const kernel = new Kernel({ idOf: (name) => (name.startsWith('twin') ? 7n : serviceIdFromName(name)) });
      const a = kernel.spawn('twin-a');
      expect(codeOf(() => kernel.spawn('twin-b'))).toBe('ID_COLLISION');
      kernel.kill(a);
      expect(kernel.spawn('twin-b').serviceId).toBe(7n);
    });

    it('test_reject_too_many_tasks', () => {
      const kernel = new Kernel();
      for (let i = 0; i < IPC_LIMITS.maxTasks; i++) kernel.spawn(`t${i}`);
      expect(codeOf(() => kernel.spawn('one-more'))).toBe('LIMIT_REACHED');
    });

    it('test_reject_bad_kernel_options', () => {
      expect(codeOf(() => new Kernel({ tickNs: -1n }))).toBe('BAD_VALUE');
      expect(codeOf(() => new Kernel({ tickNs: 5 as unknown as bigint }))).toBe('BAD_VALUE');
      expect(codeOf(() => new Kernel({ serviceId: 1n } as object))).toBe('BAD_VALUE');
    });
  });

  describe('createEndpoint', () => {
    const bad: ReadonlyArray<[string, object]> = [
      ['maxFrame -1', { maxFrame: -1 }],
      ['maxFrame 1.5', { maxFrame: 1.5 }],
      ['maxFrame over the limit', { maxFrame: IPC_LIMITS.maxFrameBytes + 1 }],
      ['queueDepth 0', { queueDepth: 0 }],
      ['queueDepth over the limit', { queueDepth: IPC_LIMITS.maxQueueDepth + 1 }],
      ['unknown key', { owner: 'policyd' }],
    ];
    for (const [label, options] of bad) {
      it(`test_reject_endpoint_${label.replaceAll(' ', '_')}`, () => {
        const kernel = new Kernel();
        expect(codeOf(() => kernel.createEndpoint(kernel.spawn('a'), options))).toBe('BAD_VALUE');
      });
    }

    it('test_reject_endpoint_for_dead_or_foreign_task', () => {
      const kernel = new Kernel();
      const task = kernel.spawn('a');
      kernel.kill(task);
      expect(codeOf(() => kernel.createEndpoint(task))).toBe('TASK_DEAD');
      expect(codeOf(() => kernel.createEndpoint(new Kernel().spawn('b')))).toBe('BAD_VALUE');
      expect(codeOf(() => kernel.createEndpoint({ ...task }))).toBe('BAD_VALUE');
    });

    it('test_reject_too_many_endpoints', () => {
      const kernel = new Kernel();
      const task = kernel.spawn('a');
      for (let i = 0; i < IPC_LIMITS.maxEndpointsPerTask; i++) kernel.createEndpoint(task);
      expect(codeOf(() => kernel.createEndpoint(task))).toBe('LIMIT_REACHED');
    });

    it('test_reject_second_serve', () => {
      const { server, recv } = echoPair();
      expect(codeOf(() => server.serve(recv, () => undefined))).toBe('BAD_VALUE');
    });
  });

  describe('call', () => {
    it('round trip: reply frame, kernel-stamped ids both ways, virtual receive time', async () => {
      const { kernel, server, client, route, seen } = echoPair();
      const reply = await client.call(route, bytes(1, 2, 3));
      expect(reply.frame).toEqual(bytes(1, 2, 3));
      expect(reply.senderServiceId).toBe(server.serviceId);
      expect(reply.cap).toBeUndefined();
      expect(seen[0]!.senderServiceId).toBe(client.serviceId);
      expect(seen[0]!.receivedAtNs).toBe(1_000n);
      expect(kernel.clock.now()).toBe(1_000n);
      expect(kernel.clock.pendingTimers).toBe(0);
    });

    it('never runs the handler inside the sender call stack', async () => {
      const { client, route, seen } = echoPair();
      client.send(route, bytes(1));
      const pending = client.call(route, bytes(2));
      expect(seen).toHaveLength(0);
      await pending;
      expect(seen).toHaveLength(2);
    });

    it('copies frames: mutating after send changes neither request nor reply', async () => {
      const kernel = new Kernel();
      const server = kernel.spawn('server');
      const client = kernel.spawn('client');
      const ep = kernel.createEndpoint(server);
      const stored = bytes(9);
      let got: Uint8Array | undefined;
      server.serve(ep.recv, (msg) => {
        got = msg.frame;
        return stored;
      });
      const frame = bytes(1, 2);
      const pending = client.call(kernel.grant(ep.send, client), frame);
      frame[0] = 0xee;
      const reply = await pending;
      stored[0] = 0;
      expect(got).toEqual(bytes(1, 2));
      expect(reply.frame).toEqual(bytes(9));
    });

    it('copies a Buffer frame rather than sharing its memory', async () => {
      const { client, route, seen } = echoPair();
      const frame = Buffer.from([1, 2, 3]);
      client.send(route, frame);
      frame[0] = 0xee;
      await flush();
      expect(seen[0]!.frame).toEqual(bytes(1, 2, 3));
      expect(seen[0]!.frame.buffer).not.toBe(frame.buffer);
    });

    it('test_reject_non_frame_and_bad_options', async () => {
      const { client, route, seen } = echoPair();
      expect(codeOf(() => client.send(route, [1, 2] as unknown as Uint8Array))).toBe('BAD_VALUE');
      expect((await rejection(client.call(route, bytes(), { timeoutMs: -1 }))).code).toBe('BAD_VALUE');
      expect((await rejection(client.call(route, bytes(), { timeoutMs: Number.NaN }))).code).toBe('BAD_VALUE');
      expect((await rejection(client.call(route, bytes(), { timeoutMs: 1e9 }))).code).toBe('BAD_VALUE');
      await flush();
      expect(seen).toHaveLength(0);
    });
  });

  describe('identity (test_reject_forged_service_id)', () => {
    it('spreading senderServiceId into options is refused and delivers nothing', async () => {
      const { client, route, seen } = echoPair();
      const forged = { senderServiceId: serviceIdFromName('policyd') };
      expect(codeOf(() => client.send(route, bytes(1), { ...forged } as object))).toBe('BAD_VALUE');
      expect((await rejection(client.call(route, bytes(1), { ...forged, timeoutMs: 10 } as object))).code).toBe('BAD_VALUE');
      await flush();
      expect(seen).toHaveLength(0);
    });

    it('an id in the payload is just bytes: the receiver sees the real sender', async () => {
      const { client, route, seen } = echoPair();
      const payload = new Uint8Array(8);
      new DataView(payload.buffer).setBigUint64(0, serviceIdFromName('policyd'), true);
      await client.call(route, payload);
      expect(seen[0]!.senderServiceId).toBe(client.serviceId);
    });

    it("re-sending another task's Incoming or its frame shows the real sender", async () => {
      const { kernel, client, route, seen } = echoPair();
      const thief = kernel.spawn('thief');
      const own = kernel.grant(route, thief);
      await client.call(route, bytes(7));
      const stolen = seen[0]!;
      expect(codeOf(() => thief.send(own, stolen as unknown as Uint8Array))).toBe('BAD_VALUE');
      await thief.call(own, stolen.frame);
      expect(seen[1]!.senderServiceId).toBe(thief.serviceId);
      expect(seen[0]!.senderServiceId).toBe(client.serviceId);
    });

    it('Incoming, Reply and Task objects are frozen', async () => {
      const { client, route, seen } = echoPair();
      const reply = await client.call(route, bytes(1));
      expect(Object.isFrozen(seen[0])).toBe(true);
      expect(Object.isFrozen(reply)).toBe(true);
      expect(Object.isFrozen(client)).toBe(true);
      expect(() => Object.assign(client, { serviceId: 1n })).toThrow(TypeError);
      expect(client.serviceId).toBe(serviceIdFromName('client'));
    });

    it("using another task's cap object, a forged cap, or a foreign kernel's cap is NO_RIGHT", async () => {
      const { kernel, server, client, route, seen } = echoPair();
      const other = kernel.spawn('other');
      const foreign = echoPair();
      const cases: ReadonlyArray<[string, Task, SendCap]> = [
        ["client's route used by other", other, route],
        ['forged object', client, { kind: 'send' }],
        ["foreign kernel's route", client, foreign.route],
      ];
      for (const [, task, cap] of cases) {
        expect(codeOf(() => task.send(cap, bytes(1)))).toBe('NO_RIGHT');
        expect((await rejection(task.call(cap, bytes(1)))).code).toBe('NO_RIGHT');
        expect(codeOf(() => task.duplicate(cap))).toBe('NO_RIGHT');
      }
      expect(codeOf(() => client.serve({ kind: 'recv' }, () => undefined))).toBe('NO_RIGHT');
      expect(codeOf(() => other.serve(foreign.recv, () => undefined))).toBe('NO_RIGHT');
      await flush();
      expect(seen).toHaveLength(0);
      expect(server.alive).toBe(true);
    });

    it('a cap received in a message is usable only by its receiver', async () => {
      const kernel = new Kernel();
      const broker = kernel.spawn('broker');
      const target = kernel.spawn('target');
      const client = kernel.spawn('client');
      const targetEp = kernel.createEndpoint(target);
      target.serve(targetEp.recv, () => bytes(42));
      const brokerEp = kernel.createEndpoint(broker);
      let received: SendCap | undefined;
      broker.serve(brokerEp.recv, (msg) => {
        received = msg.keepCap();
        return bytes();
      });
      await client.call(kernel.grant(brokerEp.send, client), bytes(), { cap: kernel.grant(targetEp.send, client) });
      expect(codeOf(() => client.send(received!, bytes()))).toBe('NO_RIGHT');
      expect((await broker.call(received!, bytes())).frame).toEqual(bytes(42));
    });
  });

  describe('bounds', () => {
    it('test_reject_oversized_frame at the sender, never truncated', async () => {
      const { client, route, seen } = echoPair();
      expect(codeOf(() => client.send(route, new Uint8Array(513)))).toBe('FRAME_TOO_LARGE');
      expect((await rejection(client.call(route, new Uint8Array(513)))).code).toBe('FRAME_TOO_LARGE');
      expect((await client.call(route, new Uint8Array(512))).frame.byteLength).toBe(512);
      expect(seen.map((m) => m.frame.byteLength)).toEqual([512]);
    });

    it('test_reject_oversized_reply', async () => {
      const kernel = new Kernel();
      const server = kernel.spawn('server');
      const client = kernel.spawn('client');
      const ep = kernel.createEndpoint(server, { maxFrame: 8 });
      server.serve(ep.recv, (msg) => new Uint8Array(msg.frame[0]!));
      const route = kernel.grant(ep.send, client);
      expect((await rejection(client.call(route, bytes(9)))).code).toBe('FRAME_TOO_LARGE');
      expect((await client.call(route, bytes(8))).frame.byteLength).toBe(8);
    });

    it('test_reject_queue_full at the sender', async () => {
      const { client, route, server, recv, seen } = echoPair({ queueDepth: 2, maxPerSender: 2 }, false);
      client.send(route, bytes(1));
      client.send(route, bytes(2));
      expect(codeOf(() => client.send(route, bytes(3)))).toBe('QUEUE_FULL');
      expect((await rejection(client.call(route, bytes(4)))).code).toBe('QUEUE_FULL');
      server.serve(recv, (msg) => {
        seen.push(msg);
        return undefined;
      });
      await flush();
      expect(seen.map((m) => m.frame[0])).toEqual([1, 2]);
      client.send(route, bytes(5));
    });

    it('test_reject_too_many_pending_calls', async () => {
      const { kernel, client, route } = echoPair({ queueDepth: 256 }, false);
      const calls = Array.from({ length: IPC_LIMITS.maxPendingCallsPerTask }, () => rejection(client.call(route, bytes())));
      expect((await rejection(client.call(route, bytes()))).code).toBe('LIMIT_REACHED');
      kernel.clock.advance(1000n * MS);
      expect(new Set((await Promise.all(calls)).map((e) => e.code))).toEqual(new Set(['TIMEOUT']));
      expect(kernel.clock.pendingTimers).toBe(0);
    });

    it('test_reject_too_many_caps', () => {
      const kernel = new Kernel();
      const task = kernel.spawn('a');
      const { send } = kernel.createEndpoint(task);
      for (let i = 2; i < IPC_LIMITS.maxCapsPerTask; i++) task.duplicate(send);
      expect(codeOf(() => task.duplicate(send))).toBe('LIMIT_REACHED');
      expect(codeOf(() => kernel.grant(send, task))).toBe('LIMIT_REACHED');
    });
  });

  describe('timeouts and closing', () => {
    it('a call times out exactly at its virtual deadline', async () => {
      const { kernel, client, route, server } = echoPair();
      kernel.faults.mute(server);
      let settled = false;
      const pending = rejection(client.call(route, bytes(), { timeoutMs: 100 })).finally(() => (settled = true));
      kernel.clock.advance(99n * MS);
      await flush();
      expect(settled).toBe(false);
      kernel.clock.advance(1n * MS);
      expect((await pending).code).toBe('TIMEOUT');
      expect(kernel.clock.pendingTimers).toBe(0);
    });

    it('a real timer ends a call nobody advances the clock for, moving the clock to the deadline', async () => {
      const { kernel, client, route, server } = echoPair();
      kernel.faults.mute(server);
      expect((await rejection(client.call(route, bytes(), { timeoutMs: 15 }))).code).toBe('TIMEOUT');
      expect(kernel.clock.now()).toBeGreaterThanOrEqual(15n * MS);
    });

    it('kill during a call rejects it PEER_CLOSED; later sends throw PEER_CLOSED', async () => {
      const kernel = new Kernel();
      const server = kernel.spawn('server');
      const client = kernel.spawn('client');
      const ep = kernel.createEndpoint(server);
      let entered = false;
      server.serve(ep.recv, () => {
        entered = true;
        return new Promise<Uint8Array>(() => {});
      });
      const route = kernel.grant(ep.send, client);
      const inFlight = rejection(client.call(route, bytes(1)));
      const queued = rejection(client.call(route, bytes(2)));
      await flush();
      expect(entered).toBe(true);
      kernel.kill(server);
      expect((await inFlight).code).toBe('PEER_CLOSED');
      expect((await queued).code).toBe('PEER_CLOSED');
      expect(codeOf(() => client.send(route, bytes(3)))).toBe('PEER_CLOSED');
      expect((await rejection(client.call(route, bytes(3)))).code).toBe('PEER_CLOSED');
      expect(server.alive).toBe(false);
      expect(kernel.clock.pendingTimers).toBe(0);
    });

    it('a killed task cannot send, its calls reject TASK_DEAD, its caps are released', async () => {
      const { kernel, client, route, server } = echoPair();
      kernel.faults.mute(server);
      const pending = rejection(client.call(route, bytes()));
      kernel.kill(client);
      kernel.kill(client);
      expect((await pending).code).toBe('TASK_DEAD');
      expect(codeOf(() => client.send(route, bytes()))).toBe('TASK_DEAD');
      const reborn = kernel.spawn('client');
      expect(codeOf(() => reborn.send(route, bytes()))).toBe('NO_RIGHT');
      expect(codeOf(() => kernel.grant(route, reborn))).toBe('NO_RIGHT');
    });
  });

  describe('ordering', () => {
    it('FIFO per endpoint across senders, one message at a time', async () => {
      const kernel = new Kernel();
      const server = kernel.spawn('server');
      const ep = kernel.createEndpoint(server, { queueDepth: 64 });
      const order: string[] = [];
      let active = 0;
      let maxActive = 0;
      server.serve(ep.recv, async (msg) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await Promise.resolve();
        await flush();
        order.push(`${msg.senderServiceId === serviceIdFromName('a') ? 'a' : 'b'}${msg.frame[0]}`);
        active--;
        return msg.frame;
      });
      const a = kernel.spawn('a');
      const b = kernel.spawn('b');
      const ra = kernel.grant(ep.send, a);
      const rb = kernel.grant(ep.send, b);
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 5; i++) {
        a.send(ra, bytes(i));
        calls.push(b.call(rb, bytes(i)));
      }
      await Promise.all(calls);
      expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4']);
      expect(maxActive).toBe(1);
    });

    it('a whole scenario replays identically (deterministic timestamps and order)', async () => {
      async function run(): Promise<string[]> {
        const log: string[] = [];
        const kernel = new Kernel();
        const server = kernel.spawn('server');
        const ep = kernel.createEndpoint(server);
        server.serve(ep.recv, (msg) => {
          log.push(`${msg.receivedAtNs}:${msg.frame[0]}`);
          return msg.frame;
        });
        const tasks = ['x', 'y', 'z'].map((n) => kernel.spawn(n));
        await Promise.all(tasks.map((t, i) => t.call(kernel.grant(ep.send, t), bytes(i))));
        kernel.faults.delayNext(ep.send, 1, 5);
        const delayed = tasks[0]!.call(kernel.grant(ep.send, tasks[0]!), bytes(9));
        kernel.clock.advance(5n * MS);
        await delayed;
        log.push(`end:${kernel.clock.now()}`);
        return log;
      }
      expect(await run()).toEqual(await run());
    });
  });

  describe('capability transfer', () => {
    it('a cap moved with send leaves the sender and arrives as a new handle', async () => {
      const { server, client, route, moved, got } = transferRig(5);
      client.send(route, bytes(), { cap: moved });
      expect(codeOf(() => client.send(moved, bytes()))).toBe('NO_RIGHT');
      await flush();
      expect(got()).toBeDefined();
      expect(got()).not.toBe(moved);
      expect((await server.call(got()!, bytes())).frame).toEqual(bytes(5));
    });

    it('a cap moved with a reply leaves the server and reaches only the caller', async () => {
      const kernel = new Kernel();
      const server = kernel.spawn('server');
      const client = kernel.spawn('client');
      const ep = kernel.createEndpoint(server);
      const own = kernel.createEndpoint(server);
      let handedOut: SendCap | undefined;
      server.serve(ep.recv, () => {
        handedOut = server.duplicate(own.send);
        return { frame: bytes(1), cap: handedOut };
      });
      const reply = await client.call(kernel.grant(ep.send, client), bytes());
      expect(codeOf(() => server.duplicate(handedOut!))).toBe('NO_RIGHT');
      expect(reply.cap).toBeDefined();
      expect(codeOf(() => client.send(reply.cap!, bytes()))).toBe('ok');
    });

    it('test_reject_moving_a_cap_not_held: nothing is sent, nothing moves', async () => {
      const { kernel, client, route, seen } = echoPair();
      const stranger = kernel.spawn('stranger');
      const strangers = kernel.grant(route, stranger);
      expect(codeOf(() => client.send(route, bytes(), { cap: strangers }))).toBe('NO_RIGHT');
      expect(codeOf(() => stranger.send(strangers, bytes()))).toBe('ok');
      await flush();
      expect(seen.map((m) => m.senderServiceId)).toEqual([stranger.serviceId]);
    });

    it('test_reject_transferring_a_recv_right', () => {
      const { kernel, server, client, recv, route } = echoPair();
      expect(codeOf(() => kernel.grant(recv as unknown as SendCap, client))).toBe('NO_RIGHT');
      expect(codeOf(() => server.duplicate(recv as unknown as SendCap))).toBe('NO_RIGHT');
      const ownRoute = kernel.grant(route, server);
      expect(codeOf(() => server.send(ownRoute, bytes(), { cap: recv as unknown as SendCap }))).toBe('NO_RIGHT');
    });

    it('a dropped message releases the cap it carried', async () => {
      const { kernel, client, route } = echoPair();
      const spare = client.duplicate(route);
      kernel.faults.dropNext(route, 1);
      client.send(route, bytes(), { cap: spare });
      expect(codeOf(() => client.send(spare, bytes()))).toBe('NO_RIGHT');
    });
  });

  describe('release', () => {
    const MAX = IPC_LIMITS.maxCapsPerTask;

    it('frees the slot: a full table takes exactly one more right per release', () => {
      const kernel = new Kernel();
      const owner = kernel.spawn('owner');
      const holder = kernel.spawn('holder');
      const { send } = kernel.createEndpoint(owner);
      const held = Array.from({ length: MAX }, () => kernel.grant(send, holder));
      expect(codeOf(() => kernel.grant(send, holder))).toBe('LIMIT_REACHED');
      holder.release(held.pop()!);
      expect(codeOf(() => holder.duplicate(held[0]!))).toBe('ok');
      expect(codeOf(() => holder.duplicate(held[0]!))).toBe('LIMIT_REACHED');
    });

    // Every way to use a send right, each on a handle its holder just released.
    const uses: ReadonlyArray<[string, (p: Pair, dead: SendCap) => Promise<unknown> | unknown]> = [
      ['send', (p, dead) => p.client.send(dead, bytes(1))],
      ['call', (p, dead) => p.client.call(dead, bytes(1))],
      ['duplicate', (p, dead) => p.client.duplicate(dead)],
      ['kernel.grant', (p, dead) => p.kernel.grant(dead, p.server)],
      ['moved with send', (p, dead) => p.client.send(p.route, bytes(1), { cap: dead })],
      ['moved with call', (p, dead) => p.client.call(p.route, bytes(1), { cap: dead })],
      ['faults.dropNext', (p, dead) => p.kernel.faults.dropNext(dead, 1)],
      ['release again', (p, dead) => p.client.release(dead)],
    ];
    for (const [use, act] of uses) {
      it(`test_reject_released_right_used_by_${use.replaceAll(/\W+/g, '_')}: NO_RIGHT, nothing delivered`, async () => {
        const p = echoPair();
        const dead = p.client.duplicate(p.route);
        p.client.release(dead);
        let code = 'ok';
        try {
          await act(p, dead);
        } catch (error) {
          if (!(error instanceof IpcError)) throw error;
          code = error.code;
        }
        expect(code).toBe('NO_RIGHT');
        await flush();
        expect(p.seen).toHaveLength(0);
        expect((await p.client.call(p.route, bytes(2))).frame).toEqual(bytes(2));
      });
    }

    it('test_reject_release_by_a_dead_task: TASK_DEAD', () => {
      const { kernel, client, route } = echoPair();
      kernel.kill(client);
      expect(codeOf(() => client.release(route))).toBe('TASK_DEAD');
    });

    // Handles the releasing task does not hold; the real holder keeps a working right each time.
    const notHeld: ReadonlyArray<[string, (p: Pair) => unknown]> = [
      ["another task's handle", (p) => p.route],
      ['a forged object', () => ({ kind: 'send' })],
      ["a foreign kernel's handle", () => echoPair().route],
      ['undefined', () => undefined],
      ['null', () => null],
      ['a number', () => 42],
      ['a receive right', (p) => p.recv],
    ];
    for (const [input, capOf] of notHeld) {
      it(`test_reject_release_of_${input.replaceAll(/\W+/g, '_')}: NO_RIGHT, the holder's right intact`, async () => {
        const p = echoPair();
        // The server holds the recv right; the client holds the route. Each is asked to drop the other's.
        const task = input === "another task's handle" ? p.server : p.client;
        expect(codeOf(() => task.release(capOf(p) as SendCap))).toBe('NO_RIGHT');
        expect((await p.client.call(p.route, bytes(3))).frame).toEqual(bytes(3));
      });
    }

    it('test_reject_release_of_a_receive_right_by_its_owner: NO_RIGHT; queued and blocked callers are still answered', async () => {
      const { server, client, route, recv, seen } = echoPair(undefined, false);
      const blocked = client.call(route, bytes(4));
      client.send(route, bytes(5));
      expect(codeOf(() => server.release(recv as unknown as SendCap))).toBe('NO_RIGHT');
      server.serve(recv, (msg) => {
        seen.push(msg);
        return msg.frame;
      });
      expect((await blocked).frame).toEqual(bytes(4));
      await flush();
      expect(seen.map((m) => m.frame[0])).toEqual([4, 5]);
    });

    it('test_reject_release_of_a_right_moved_away: NO_RIGHT; the receiver got a working one', async () => {
      const { kernel, server, client, route, moved, got } = transferRig(6);
      kernel.faults.mute(server);
      // Still in flight (the server is muted) and already out of the sender's hands.
      client.send(route, bytes(), { cap: moved });
      expect(codeOf(() => client.release(moved))).toBe('NO_RIGHT');
      kernel.faults.unmute(server);
      await flush();
      const received = got()!;
      expect((await server.call(received, bytes())).frame).toEqual(bytes(6));
      server.release(received);
      expect(codeOf(() => server.send(received, bytes()))).toBe('NO_RIGHT');
    });

    it('releasing the route of messages in flight: they are still delivered, the call still gets its reply', async () => {
      const { kernel, server, client, route, seen } = echoPair();
      kernel.faults.mute(server);
      client.send(route, bytes(7));
      const call = client.call(route, bytes(8));
      client.release(route);
      kernel.faults.unmute(server);
      const reply = await call;
      expect(reply.frame).toEqual(bytes(8));
      expect(reply.senderServiceId).toBe(server.serviceId);
      expect(seen.map((m) => m.frame[0])).toEqual([7, 8]);
      expect(codeOf(() => client.send(route, bytes(9)))).toBe('NO_RIGHT');
    });

    it("leaves the endpoint and every other copy alone, even the owner's own send right", async () => {
      const { kernel, server, client, route, recv, seen } = echoPair();
      const other = kernel.spawn('other');
      const otherRoute = kernel.grant(route, other);
      const spare = client.duplicate(route);
      client.release(route);
      expect((await client.call(spare, bytes(1))).frame).toEqual(bytes(1));
      expect((await other.call(otherRoute, bytes(2))).frame).toEqual(bytes(2));
      const own = kernel.grant(spare, server);
      server.release(own);
      expect(codeOf(() => server.serve(recv, () => undefined))).toBe('BAD_VALUE'); // still served, not closed
      expect(seen).toHaveLength(2);
    });

    it('a right released before the server replies with it fails that call with SERVER_FAULT', async () => {
      const kernel = new Kernel();
      const server = kernel.spawn('server');
      const client = kernel.spawn('client');
      const ep = kernel.createEndpoint(server);
      const keep = kernel.createEndpoint(server).send;
      server.serve(ep.recv, () => {
        const copy = server.duplicate(keep);
        server.release(copy);
        return { frame: bytes(1), cap: copy };
      });
      expect((await rejection(client.call(kernel.grant(ep.send, client), bytes()))).code).toBe('SERVER_FAULT');
    });

    /** Grants into `holder` until the table is full; returns how many fitted. */
    function fill(kernel: Kernel, send: SendCap, holder: Task): number {
      let n = 0;
      while (codeOf(() => kernel.grant(send, holder)) === 'ok') n++;
      return n;
    }

    it('property: the table never holds more than maxCapsPerTask, and each release frees exactly one slot', () => {
      const op = fc.oneof(
        fc.record({ kind: fc.constant('take' as const), n: fc.integer({ min: 1, max: 700 }), copy: fc.boolean() }),
        fc.record({ kind: fc.constant('release' as const), n: fc.integer({ min: 1, max: 700 }), pick: fc.nat() }),
        fc.record({ kind: fc.constant('stale' as const), pick: fc.nat() }),
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 10 }), (ops) => {
          const kernel = new Kernel();
          const owner = kernel.spawn('owner');
          const holder = kernel.spawn('holder');
          const { send } = kernel.createEndpoint(owner);
          const held: SendCap[] = [];
          const released: SendCap[] = [];
          for (const o of ops) {
            if (o.kind === 'take') {
              for (let i = 0; i < o.n; i++) {
                const take = (): SendCap => (o.copy && held.length > 0 ? holder.duplicate(held[0]!) : kernel.grant(send, holder));
                let cap: SendCap | undefined;
                const code = codeOf(() => (cap = take()));
                expect(code).toBe(held.length < MAX ? 'ok' : 'LIMIT_REACHED');
                if (cap !== undefined) held.push(cap);
              }
            } else if (o.kind === 'release') {
              for (let i = 0; i < o.n && held.length > 0; i++) {
                const [cap] = held.splice((o.pick + i) % held.length, 1);
                holder.release(cap!);
                released.push(cap!);
              }
            } else if (released.length > 0) {
              expect(codeOf(() => holder.release(released[o.pick % released.length]!))).toBe('NO_RIGHT');
            }
          }
          for (const cap of released) expect(codeOf(() => holder.duplicate(cap))).toBe('NO_RIGHT');
          expect(fill(kernel, send, holder)).toBe(MAX - held.length);
        }),
        { numRuns: 60 },
      );
    });

    it('property: any number of grant/release cycles past maxCapsPerTask never exhausts the table', () => {
      fc.assert(
        fc.property(fc.integer({ min: MAX + 1, max: 3 * MAX }), fc.integer({ min: 1, max: 64 }), (cycles, batch) => {
          const kernel = new Kernel();
          const owner = kernel.spawn('owner');
          const holder = kernel.spawn('holder');
          const { send } = kernel.createEndpoint(owner);
          for (let done = 0; done < cycles; done += batch) {
            const caps = Array.from({ length: batch }, () => kernel.grant(send, holder));
            for (const cap of caps) holder.release(cap);
          }
          expect(fill(kernel, send, holder)).toBe(MAX);
        }),
        { numRuns: 20 },
      );
    });
  });

  describe('replies', () => {
    it('each reply reaches only its own caller', async () => {
      const kernel = new Kernel();
      const server = kernel.spawn('server');
      const ep = kernel.createEndpoint(server);
      server.serve(ep.recv, async (msg) => {
        await flush();
        const out = new Uint8Array(8);
        new DataView(out.buffer).setBigUint64(0, msg.senderServiceId, true);
        return out;
      });
      const callers = ['c1', 'c2', 'c3'].map((n) => kernel.spawn(n));
      const replies = await Promise.all(callers.map((c) => c.call(kernel.grant(ep.send, c), bytes())));
      expect(replies.map((r) => new DataView(r.frame.buffer).getBigUint64(0, true))).toEqual(callers.map((c) => c.serviceId));
    });

    it('a reply after the caller timed out is ignored; the right it carried is released, the server keeps serving', async () => {
      const kernel = new Kernel();
      const server = kernel.spawn('server');
      const client = kernel.spawn('client');
      const ep = kernel.createEndpoint(server);
      const keep = kernel.createEndpoint(server).send;
      const given: SendCap[] = [];
      let release: () => void = () => {};
      let count = 0;
      server.serve(ep.recv, async () => {
        if (count++ === 0) await new Promise<void>((resolve) => (release = resolve));
        const copy = server.duplicate(keep);
        given.push(copy);
        return { frame: bytes(count), cap: copy };
      });
      const route = kernel.grant(ep.send, client);
      const late = rejection(client.call(route, bytes(), { timeoutMs: 50 }));
      await flush();
      kernel.clock.advance(50n * MS);
      expect((await late).code).toBe('TIMEOUT');
      release();
      await flush();
      // The undelivered copy is gone (it does not pile up in the server), the original is intact.
      expect(codeOf(() => server.duplicate(given[0] as SendCap))).toBe('NO_RIGHT');
      expect(codeOf(() => server.duplicate(keep))).toBe('ok');
      const second = await client.call(route, bytes());
      expect(second.frame).toEqual(bytes(2));
      expect(second.cap).toBeDefined();
    });

    it('a right attached to a refused reply (too large) is released too', async () => {
      const kernel = new Kernel();
      const server = kernel.spawn('server');
      const client = kernel.spawn('client');
      const ep = kernel.createEndpoint(server, { maxFrame: 8 });
      const keep = kernel.createEndpoint(server).send;
      let copy: SendCap | undefined;
      server.serve(ep.recv, () => {
        copy = server.duplicate(keep);
        return { frame: new Uint8Array(9), cap: copy };
      });
      const refused = rejection(client.call(kernel.grant(ep.send, client), bytes()));
      expect((await refused).code).toBe('FRAME_TOO_LARGE');
      expect(codeOf(() => server.duplicate(copy as SendCap))).toBe('NO_RIGHT');
      expect(codeOf(() => server.duplicate(keep))).toBe('ok');
    });

    it('a reply to a one-way send goes nowhere', async () => {
      const { client, route, seen } = echoPair();
      client.send(route, bytes(1));
      await flush();
      expect(seen).toHaveLength(1);
    });

    const faulty: ReadonlyArray<[string, () => unknown, string]> = [
      ['throws', () => { throw new Error('secret reason'); }, 'SERVER_FAULT'],
      ['rejects', () => Promise.reject(new Error('secret reason')), 'SERVER_FAULT'],
      ['returns a non-frame', () => ({ frame: 'x' }), 'SERVER_FAULT'],
      ['replies with a forged cap', () => ({ frame: bytes(), cap: { kind: 'send' } }), 'SERVER_FAULT'],
      ['returns null', () => null, 'SERVER_FAULT'],
      ['returns a number', () => 5, 'SERVER_FAULT'],
      ['returns a throwing getter', () => ({ get frame(): never { throw new Error('secret reason'); } }), 'SERVER_FAULT'],
      ['returns undefined', () => undefined, 'NO_REPLY'],
    ];
    for (const [label, handler, code] of faulty) {
      it(`a handler that ${label} fails only that call (${code}) and keeps serving`, async () => {
        const kernel = new Kernel();
        const server = kernel.spawn('server');
        const client = kernel.spawn('client');
        const ep = kernel.createEndpoint(server);
        let calls = 0;
        server.serve(ep.recv, (msg) => (calls++ === 0 ? (handler() as Uint8Array) : msg.frame));
        const route = kernel.grant(ep.send, client);
        const error = await rejection(client.call(route, bytes(1)));
        expect(error.code).toBe(code);
        expect(error.message).not.toContain('secret');
        expect(error.cause).toBeUndefined();
        expect((await client.call(route, bytes(2))).frame).toEqual(bytes(2));
      });
    }
  });

  describe('faults', () => {
    it('mute queues messages (calls time out); unmute delivers them in order', async () => {
      const { kernel, client, route, server, seen } = echoPair();
      kernel.faults.mute(server);
      client.send(route, bytes(1));
      const call = rejection(client.call(route, bytes(2), { timeoutMs: 10 }));
      await flush();
      expect(seen).toHaveLength(0);
      kernel.clock.advance(10n * MS);
      expect((await call).code).toBe('TIMEOUT');
      kernel.faults.unmute(server);
      await flush();
      expect(seen.map((m) => m.frame[0])).toEqual([1, 2]);
    });

    it('delayNext holds the next messages back on the virtual clock, keeping FIFO', async () => {
      const { kernel, client, route, seen } = echoPair();
      kernel.faults.delayNext(route, 1, 20);
      client.send(route, bytes(1));
      client.send(route, bytes(2));
      await flush();
      expect(seen).toHaveLength(0);
      kernel.clock.advance(20n * MS);
      await flush();
      expect(seen.map((m) => m.frame[0])).toEqual([1, 2]);
      expect(seen[0]!.receivedAtNs).toBe(20n * MS + 1_000n);
    });

    it('dropNext makes the next messages vanish; callers time out, later ones pass', async () => {
      const { kernel, client, route, seen } = echoPair();
      kernel.faults.dropNext(route, 2);
      client.send(route, bytes(1));
      const lost = rejection(client.call(route, bytes(2), { timeoutMs: 30 }));
      const kept = client.call(route, bytes(3));
      expect((await kept).frame).toEqual(bytes(3));
      kernel.clock.advance(30n * MS);
      expect((await lost).code).toBe('TIMEOUT');
      expect(seen.map((m) => m.frame[0])).toEqual([3]);
    });

    it('test_reject_bad_fault_arguments', () => {
      const { kernel, route } = echoPair();
      expect(codeOf(() => kernel.faults.dropNext({ kind: 'send' }, 1))).toBe('NO_RIGHT');
      expect(codeOf(() => kernel.faults.dropNext(route, -1))).toBe('BAD_VALUE');
      expect(codeOf(() => kernel.faults.delayNext(route, 1, Infinity))).toBe('BAD_VALUE');
      expect(codeOf(() => kernel.faults.mute({} as Task))).toBe('BAD_VALUE');
    });
  });
});
