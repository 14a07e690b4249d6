import { isServiceName } from '@nexus/ipc';
import { readFrameHeader } from '@nexus/proto';
import { encodeExecReply } from './encode-exec-reply.js';
import { EX_MAGIC, EX_MAX_FRAME, EX_MAX_NAME, EX_OP, EX_VERSION, ExecStatus, type ExecDecodeResult } from './ex-wire.js';

const latin1 = new TextDecoder('latin1');

/**
 * Decodes an EX request as execd receives it. Never throws: a bad frame comes back as
 * `{ ok: false, status, reply }` with the reply to send. Checks, in order: size (> 64 bytes →
 * TOO_LARGE, before any parsing), magic (→ MALFORMED), version and op (→ UNSUPPORTED), the name
 * length (0 → MALFORMED, > 48 → TOO_LARGE), then the exact length and a canonical name (→ MALFORMED).
 *
 * @example
 * const res = decodeExecRequest(msg.frame);
 * if (!res.ok) return res.reply;
 * res.request.name; // 'demo.testsvc'
 */
export function decodeExecRequest(frame: Uint8Array): ExecDecodeResult {
  // At least the header and the name length byte.
  const h = readFrameHeader(frame, { magic: EX_MAGIC, version: EX_VERSION, maxFrame: EX_MAX_FRAME, minFrame: 5 });
  const fail = (status: 2 | 3 | 4): ExecDecodeResult => ({
    ok: false,
    status,
    reply: encodeExecReply({ status, taskId: 0n }, h.op ?? EX_OP.SPAWN),
  });
  if (!h.ok) return fail(ExecStatus[h.problem]);
  if (h.op !== EX_OP.SPAWN) return fail(ExecStatus.UNSUPPORTED);
  const r = h.reader;
  const nl = r.u8();
  if (nl > EX_MAX_NAME) return fail(ExecStatus.TOO_LARGE);
  if (nl === 0 || nl !== r.remaining) return fail(ExecStatus.MALFORMED);
  const name = latin1.decode(r.bytes(nl));
  if (!isServiceName(name)) return fail(ExecStatus.MALFORMED);
  return { ok: true, request: { op: EX_OP.SPAWN, name } };
}
