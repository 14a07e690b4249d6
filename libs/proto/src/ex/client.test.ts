import { IpcError } from '@nexus/ipc';
import type { Transport } from '../call-transport.js';
import { describe, expect, test } from 'vitest';
import { encodeExecReply } from './codec.js';
import { ExecClient, type ExecOutcome } from './client.js';
import { ExecStatus } from './wire.js';

describe(ExecClient, () => {
  const answer = (frame: Uint8Array): Transport => () => Promise.resolve(frame);
  const cases: ReadonlyArray<readonly [string, Transport, ExecOutcome]> = [
    ['OK with a task id', answer(encodeExecReply({ status: ExecStatus.OK, taskId: 42n })), { status: 'ok', taskId: 42n }],
    ['DENY', answer(encodeExecReply({ status: ExecStatus.DENY, taskId: 0n })), { status: 'deny' }],
    ['NOT_FOUND', answer(encodeExecReply({ status: ExecStatus.NOT_FOUND, taskId: 0n })), { status: 'not-found' }],
    ['SPAWN_FAILED', answer(encodeExecReply({ status: ExecStatus.SPAWN_FAILED, taskId: 0n })), { status: 'spawn-failed' }],
    ['garbage', answer(Uint8Array.of(0x45, 0x58, 1, 0x81, 0)), { status: 'bad-reply' }],
    ['OK naming no task', answer(Uint8Array.of(0x45, 0x58, 1, 0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0)), { status: 'bad-reply' }],
    ['timeout', () => Promise.reject(new IpcError('TIMEOUT', 't')), { status: 'timeout' }],
    ['peer closed', () => Promise.reject(new IpcError('PEER_CLOSED', 'p')), { status: 'peer-closed' }],
    ['throwing transport', () => { throw new Error('boom'); }, { status: 'error' }],
  ];
  for (const [input, transport, outcome] of cases) {
    test(input, async () => {
      expect(await new ExecClient(transport).spawn('demo.testsvc')).toEqual(outcome);
    });
  }

  test('sends the SPAWN frame with the bounded timeout', async () => {
    const seen: Array<[number[], number]> = [];
    const client = new ExecClient(
      (frame, timeoutMs) => {
        seen.push([[...frame], timeoutMs]);
        return Promise.resolve(encodeExecReply({ status: ExecStatus.DENY, taskId: 0n }));
      },
      { timeoutMs: 77 },
    );
    await client.spawn('ab');
    expect(seen).toEqual([[[0x45, 0x58, 1, 1, 2, 0x61, 0x62], 77]]);
  });

  for (const name of ['', 'x'.repeat(49), 'Demo', 'a/b']) {
    test(`test_reject_unencodable_name_${name.length}_without_a_call`, async () => {
      let calls = 0;
      const client = new ExecClient(() => {
        calls++;
        return Promise.resolve(new Uint8Array(0));
      });
      expect(await client.spawn(name)).toEqual({ status: 'malformed' });
      expect(calls).toBe(0);
    });
  }
});
