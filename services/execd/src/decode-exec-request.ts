import { FrameReader, isServiceName } from '@nexus/ipc';
import { encodeExecReply } from './encode-exec-reply.js';
import { EX_MAX_FRAME, EX_MAX_NAME, EX_OP, EX_VERSION, ExecStatus, type ExecDecodeResult } from './ex-wire.js';

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
  let op: number = EX_OP.SPAWN;
  const fail = (status: 2 | 3 | 4): ExecDecodeResult => ({
    ok: false,
    status,
    reply: encodeExecReply({ status, taskId: 0n }, op),
  });

  if (frame.byteLength > EX_MAX_FRAME) return fail(ExecStatus.TOO_LARGE);
  if (frame.byteLength < 5) return fail(ExecStatus.MALFORMED);
  const r = new FrameReader(frame);
  if (r.u8() !== 0x45 || r.u8() !== 0x58) return fail(ExecStatus.MALFORMED);
  const version = r.u8();
  op = r.u8();
  if (version !== EX_VERSION || op !== EX_OP.SPAWN) return fail(ExecStatus.UNSUPPORTED);
  const nl = r.u8();
  if (nl > EX_MAX_NAME) return fail(ExecStatus.TOO_LARGE);
  if (nl === 0 || nl !== r.remaining) return fail(ExecStatus.MALFORMED);
  const name = latin1.decode(r.bytes(nl));
  if (!isServiceName(name)) return fail(ExecStatus.MALFORMED);
  return { ok: true, request: { op: EX_OP.SPAWN, name } };
}
