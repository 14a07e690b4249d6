import { Kernel, type Task } from '@nexus/ipc';
import { describe, expect, test } from 'vitest';
import { callTransport, type Transport } from './call-transport.js';
import { taskTransport } from './task-transport.js';

function rig(): { kernel: Kernel; transport: Transport; server: Task } {
  const kernel = new Kernel();
  const server = kernel.spawn('echo');
  const { recv, send } = kernel.createEndpoint(server);
  server.serve(recv, (msg) => Uint8Array.of(msg.frame.byteLength, ...msg.frame));
  const client = kernel.spawn('client');
  return { kernel, server, transport: taskTransport(client, kernel.grant(send, client)) };
}

describe(taskTransport, () => {
  test('resolves to the reply frame of a kernel call', async () => {
    expect([...(await rig().transport(Uint8Array.of(7, 8), 200))]).toEqual([2, 7, 8]);
  });

  test('test_reject_dead_peer: the kernel error rejects, and callTransport reads it as peer-closed', async () => {
    const r = rig();
    r.kernel.kill(r.server);
    await expect(r.transport(Uint8Array.of(1), 200)).rejects.toMatchObject({ name: 'IpcError' });
    expect(await callTransport(r.transport, Uint8Array.of(1), 200)).toEqual({ ok: false, failure: 'peer-closed' });
  });

  test('test_reject_silent_peer: the timeout is passed to the kernel call', async () => {
    const r = rig();
    r.kernel.faults.mute(r.server);
    expect(await callTransport(r.transport, Uint8Array.of(1), 10)).toEqual({ ok: false, failure: 'timeout' });
  });
});
