import { describe, expect, it } from 'vitest';
import { decodeExecReply, decodeExecRequest, encodeExecReply, encodeExecRequest } from './codec.js';
import { EX_OP, ExecStatus, type ExecReply } from './wire.js';

/** EX has one op (SPAWN): its request for a few names, its reply for every status. */
const names: readonly string[] = ['a', 'demo.testsvc', 'x'.repeat(48)];
const replies: readonly ExecReply[] = Object.values(ExecStatus).map((status) => ({
  status,
  taskId: status === ExecStatus.OK ? 0x7b6096126000c028n : 0n,
}));

describe('EX codec round trip', () => {
  it.each(names)('SPAWN request %s: encode → decode = input', (name) => {
    expect(decodeExecRequest(encodeExecRequest(name))).toEqual({ ok: true, request: { op: EX_OP.SPAWN, name } });
  });

  it.each(replies.map((r) => [r.status, r] as const))('SPAWN reply status %i: encode → decode = input', (_, reply) => {
    expect(decodeExecReply(encodeExecReply(reply))).toEqual(reply);
  });
});
