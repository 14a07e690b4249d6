import { IpcError } from '@nexus/ipc';
import { describe, expect, it } from 'vitest';
import type { Transport } from '../call-transport.js';
import { decodeLogRequest, encodeLogReply } from './codec.js';
import { LO_ANY, LO_STATUS, LO_ZERO_STATS, type LogRequest, type LogStats, type LogStatus } from './wire.js';
import { LogClient } from './client.js';

const frame = (...b: number[]): Uint8Array => Uint8Array.from(b);
const STATS: LogStats = { ...LO_ZERO_STATS, rejectedForged: 3n };

/** A fake logd: answers `status` to every well-formed v2 request and records what it saw. */
function server(status: LogStatus, seen: LogRequest[] = []): Transport {
  return async (f) => {
    const res = decodeLogRequest(f);
    if (!res.ok) return res.reply;
    seen.push(res.request);
    const req = res.request;
    if (req.version !== 2) throw new Error('the client speaks v2');
    const ok = status === LO_STATUS.OK;
    const head = { version: 2 as const, nonce: req.nonce, status };
    if (req.op === 1) return encodeLogReply({ ...head, op: 1, recordId: ok ? 11n : 0n, dropped: 0n });
    if (req.op === 2) return encodeLogReply({ ...head, op: 2, entries: ok ? [{ cursor: 1n, bytes: frame(0xaa) }] : [], nextCursor: 0n });
    if (req.op === 4) return encodeLogReply({ ...head, op: 4, stored: ok ? req.records.length : 0, firstId: ok ? 20n : 0n, dropped: 0n });
    return encodeLogReply({ ...head, op: 3, stats: ok ? STATS : LO_ZERO_STATS });
  };
}

/** A logd that answers every APPEND_BLOCK with `body` (its nonce echoed). */
function blockServer(body: { status: LogStatus; stored: number; firstId: bigint }): Transport {
  return async (f) => {
    const res = decodeLogRequest(f);
    if (!res.ok || res.request.op !== 4) throw new Error('expected an APPEND_BLOCK');
    return encodeLogReply({ version: 2, nonce: res.request.nonce, op: 4, dropped: 1n, ...body });
  };
}

describe(LogClient, () => {
  it('append sends a v2 APPEND and returns the record id', async () => {
    const seen: LogRequest[] = [];
    const log = new LogClient(server(LO_STATUS.OK, seen));
    expect(await log.append({ level: 2, scope: 'execd', msg: 'up' })).toEqual({ status: 'ok', recordId: 11n, dropped: 0n });
    expect(seen).toEqual([{ version: 2, op: 1, nonce: 1n, level: 2, scope: 'execd', msg: 'up', fields: frame() }]);
  });

  it('query fills the filter defaults and returns records and cursor', async () => {
    const seen: LogRequest[] = [];
    const log = new LogClient(server(LO_STATUS.OK, seen));
    expect(await log.query({ journal: 1, decision: 1 })).toEqual({ status: 'ok', records: [frame(0xaa)], nextCursor: 0n });
    expect(seen).toEqual([
      {
        version: 2,
        op: 2,
        nonce: 1n,
        filter: { journal: 1, fromSeq: 0n, toSeq: 0n, subject: 0n, decision: 1, op: LO_ANY, cursor: 0n, maxCount: 64 },
      },
    ]);
  });

  it('stats returns the counters', async () => {
    expect(await new LogClient(server(LO_STATUS.OK)).stats()).toEqual({ status: 'ok', stats: STATS });
  });

  it('nonces count up per client', async () => {
    const seen: LogRequest[] = [];
    const log = new LogClient(server(LO_STATUS.OK, seen));
    await log.stats();
    await log.stats();
    expect(seen).toEqual([
      { version: 2, op: 3, nonce: 1n },
      { version: 2, op: 3, nonce: 2n },
    ]);
  });

  it('test_reject_unauthorized_reader: DENIED query → no records', async () => {
    expect(await new LogClient(server(LO_STATUS.DENIED)).query({ journal: 1 })).toEqual({ status: 'denied', records: [], nextCursor: 0n });
  });

  it('DENIED append / stats are not ok', async () => {
    expect(await new LogClient(server(LO_STATUS.DENIED)).append({ level: 0, scope: 'policyd.audit', msg: '' })).toEqual({ status: 'denied' });
    expect(await new LogClient(server(LO_STATUS.MALFORMED)).stats()).toEqual({ status: 'malformed' });
  });

  it('appendBlock sends one v2 APPEND_BLOCK and returns the ids of the whole block', async () => {
    const seen: LogRequest[] = [];
    const log = new LogClient(server(LO_STATUS.OK, seen));
    expect(await log.appendBlock([frame(1), frame(2, 3)])).toEqual({ status: 'ok', stored: 2, firstId: 20n, dropped: 0n });
    expect(seen).toEqual([{ version: 2, op: 4, nonce: 1n, records: [frame(1), frame(2, 3)] }]);
  });

  it('appendBlock reports the stored prefix of a block logd stopped in', async () => {
    const log = new LogClient(blockServer({ status: LO_STATUS.FULL, stored: 1, firstId: 7n }));
    expect(await log.appendBlock([frame(1), frame(2), frame(3)])).toEqual({ status: 'full', stored: 1, firstId: 7n, dropped: 1n });
  });

  const blockLies: ReadonlyArray<{ name: string; body: { status: LogStatus; stored: number; firstId: bigint } }> = [
    { name: 'test_reject_block_reply_storing_more_than_sent', body: { status: LO_STATUS.FULL, stored: 3, firstId: 1n } },
    { name: 'test_reject_block_reply_ok_for_part_of_the_block', body: { status: LO_STATUS.OK, stored: 1, firstId: 1n } },
  ];
  for (const { name, body } of blockLies) {
    it(`appendBlock: ${name} → 'bad-reply', nothing stored`, async () => {
      expect(await new LogClient(blockServer(body)).appendBlock([frame(1), frame(2)])).toEqual({ status: 'bad-reply', stored: 0, firstId: 0n, dropped: 0n });
    });
  }

  it('test_reject_block_unsendable: an empty block or a hostile array is refused without sending', async () => {
    let called = false;
    const log = new LogClient(async () => ((called = true), frame()));
    const hostile = new Proxy([frame(1)], { get: () => { throw new Error('trap'); } });
    for (const records of [[], hostile, [new Uint8Array(513)]]) {
      expect(await log.appendBlock(records)).toEqual({ status: 'malformed', stored: 0, firstId: 0n, dropped: 0n });
    }
    expect(called).toBe(false);
  });

  const failures: ReadonlyArray<{ name: string; transport: Transport; out: string }> = [
    { name: 'test_reject_timeout', transport: () => Promise.reject(new IpcError('TIMEOUT', 'x')), out: 'timeout' },
    { name: 'test_reject_peer_closed', transport: () => Promise.reject(new IpcError('PEER_CLOSED', 'x')), out: 'peer-closed' },
    { name: 'test_reject_rejected_transport', transport: () => Promise.reject(new Error('x')), out: 'error' },
    { name: 'test_reject_garbage_reply', transport: async () => frame(9, 9, 9), out: 'bad-reply' },
    {
      name: 'test_reject_wrong_nonce',
      transport: async () => encodeLogReply({ version: 2, nonce: 99n, op: 2, status: 0, entries: [{ cursor: 1n, bytes: frame(1) }] }),
      out: 'bad-reply',
    },
    {
      name: 'test_reject_reply_of_the_wrong_op',
      transport: async () => encodeLogReply({ version: 2, nonce: 1n, op: 3, status: 0, stats: STATS }),
      out: 'bad-reply',
    },
    {
      name: 'test_reject_truncated_reply',
      transport: async () => encodeLogReply({ version: 2, nonce: 1n, op: 2, status: 0, entries: [{ cursor: 1n, bytes: frame(1, 2) }] }).slice(0, -1),
      out: 'bad-reply',
    },
  ];
  for (const { name, transport, out } of failures) {
    it(`query: ${name} → '${out}', no records`, async () => {
      expect(await new LogClient(transport).query({ journal: 0 })).toEqual({ status: out, records: [], nextCursor: 0n });
    });
  }

  it('test_reject_client_scope_65: refused without sending', async () => {
    let called = false;
    const log = new LogClient(async () => ((called = true), frame()));
    expect(await log.append({ level: 2, scope: 's'.repeat(65), msg: '' })).toEqual({ status: 'malformed' });
    expect(await log.query({ journal: 0, maxCount: 0 })).toEqual({ status: 'malformed', records: [], nextCursor: 0n });
    expect(called).toBe(false);
  });
});
