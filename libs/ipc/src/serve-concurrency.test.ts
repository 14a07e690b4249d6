import { describe, expect, it } from 'vitest';
import { bytes, codeOf } from '../test-support/error-code.js';
import { IPC_LIMITS } from './ipc-limits.js';
import { Kernel } from './kernel.js';
import type { Task } from './task.js';

/** A server whose handler parks every message until `release` is called. */
function parkedServer(concurrency?: number): {
  kernel: Kernel;
  server: Task;
  started: number[];
  release: () => void;
  call: (n: number) => Promise<number>;
} {
  const kernel = new Kernel();
  const server = kernel.spawn('server');
  const client = kernel.spawn('client');
  const { recv, send } = kernel.createEndpoint(server, { queueDepth: 16 });
  const cap = kernel.grant(send, client);
  const started: number[] = [];
  const waiting: (() => void)[] = [];
  server.serve(
    recv,
    async (msg) => {
      started.push(msg.frame[0] ?? -1);
      await new Promise<void>((resolve) => waiting.push(resolve));
      return msg.frame;
    },
    concurrency === undefined ? undefined : { concurrency },
  );
  return {
    kernel,
    server,
    started,
    release: (): void => { for (const w of waiting.splice(0)) w(); },
    call: async (n: number): Promise<number> => (await client.call(cap, bytes(n), { timeoutMs: 1000 })).frame[0] ?? -1,
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('serve concurrency', () => {
  it.each([
    { concurrency: undefined, inHandler: 1 },
    { concurrency: 1, inHandler: 1 },
    { concurrency: 3, inHandler: 3 },
    { concurrency: 8, inHandler: 5 },
  ])('concurrency $concurrency: $inHandler of 5 messages in the handler at once, started in order', async ({ concurrency, inHandler }) => {
    const s = parkedServer(concurrency);
    const replies = Promise.all([1, 2, 3, 4, 5].map((n) => s.call(n)));
    await tick();
    expect(s.started).toEqual([1, 2, 3, 4, 5].slice(0, inHandler));
    for (let i = 0; i < 5; i++) { s.release(); await tick(); }
    expect(await replies).toEqual([1, 2, 3, 4, 5]);
    expect(s.started).toEqual([1, 2, 3, 4, 5]);
  });

  it.each([0, -1, 1.5, IPC_LIMITS.maxServeConcurrency + 1, Number.NaN])('test_reject_bad_concurrency %s', (concurrency) => {
    const kernel = new Kernel();
    const server = kernel.spawn('server');
    const { recv } = kernel.createEndpoint(server);
    expect(codeOf(() => server.serve(recv, (m) => m.frame, { concurrency }))).toBe('BAD_VALUE');
  });

  it('a killed server settles every call in its handler', async () => {
    const s = parkedServer(4);
    const calls = [1, 2, 3].map((n) => s.call(n).catch((e: unknown) => (e as { code: string }).code));
    await tick();
    s.kernel.kill(s.server);
    expect(await Promise.all(calls)).toEqual(['PEER_CLOSED', 'PEER_CLOSED', 'PEER_CLOSED']);
  });
});
