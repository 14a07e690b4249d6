// The EX codec: encode and decode of a request and of a reply, as the README's layout tables give them.
import { FrameWriter, isServiceName } from '@nexus/ipc';
import { guardFrame } from '../guard-frame.js';
import { ProtoError } from '../proto-error.js';
import { readFrameHeader } from '../read-frame-header.js';
import {
  EX_MAGIC,
  EX_MAX_FRAME,
  EX_MAX_NAME,
  EX_OP,
  EX_REPLY_BIT,
  EX_REPLY_BYTES,
  EX_VERSION,
  ExecStatus,
  type ExecDecodeResult,
  type ExecReply,
} from './wire.js';

/**
 * Encodes a SPAWN request `[E,X,1,1, nl:u8, name[nl]]`. Throws `ProtoError('BAD_VALUE')` for a
 * name that is not a canonical bundle name (1..48 bytes of `[a-z0-9._-]`).
 *
 * @example
 * encodeExecRequest('demo.testsvc'); // [0x45,0x58,1,1,12,...'demo.testsvc']
 */
export function encodeExecRequest(name: string): Uint8Array {
  if (!isServiceName(name)) {
    throw new ProtoError('BAD_VALUE', 'a bundle name must be 1..48 bytes of [a-z0-9._-]');
  }
  return guardFrame(
    () => new FrameWriter(EX_MAX_FRAME).bytes(EX_MAGIC).u8(EX_VERSION).u8(EX_OP.SPAWN).str8(name, EX_MAX_NAME).finish(),
    ProtoError,
    'BAD_VALUE',
  );
}

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

const STATUSES: ReadonlySet<number> = new Set(Object.values(ExecStatus));

/**
 * Encodes an EX reply `[E,X,1,op|0x80,status,task_id:u64]`. `op` is the request's op (masked to
 * 7 bits), so an UNSUPPORTED reply echoes what it refused. Throws `ProtoError('BAD_VALUE')` for an
 * unknown status, or a task id that is 0 on OK or non-zero otherwise (a refusal names no task).
 *
 * @example
 * encodeExecReply({ status: ExecStatus.DENY, taskId: 0n }); // [0x45,0x58,1,0x81,5,0,0,0,0,0,0,0,0]
 */
export function encodeExecReply(reply: ExecReply, op = 1): Uint8Array {
  const { status, taskId } = reply;
  if (!STATUSES.has(status)) throw new ProtoError('BAD_VALUE', `status ${String(status)}`);
  if ((status === ExecStatus.OK) !== (taskId !== 0n)) {
    throw new ProtoError('BAD_VALUE', 'a task id is set exactly when the status is OK');
  }
  return guardFrame(
    () =>
      new FrameWriter(EX_REPLY_BYTES)
        .bytes(EX_MAGIC)
        .u8(EX_VERSION)
        .u8((op & 0x7f) | EX_REPLY_BIT)
        .u8(status)
        .u64(taskId)
        .finish(),
    ProtoError,
    'BAD_VALUE',
  );
}

/**
 * Decodes an EX reply to a SPAWN. Throws `ProtoError`: `MALFORMED` for bad magic, a wrong length,
 * an unknown status or a task id that contradicts the status, `UNSUPPORTED` for another version,
 * `MISMATCH` for a reply to another op.
 *
 * @example
 * decodeExecReply(encodeExecReply({ status: ExecStatus.OK, taskId: 7n })); // { status: 0, taskId: 7n }
 */
export function decodeExecReply(frame: Uint8Array): ExecReply {
  const h = readFrameHeader(frame, { magic: EX_MAGIC, version: EX_VERSION, maxFrame: EX_REPLY_BYTES, minFrame: EX_REPLY_BYTES });
  if (!h.ok && h.problem === 'UNSUPPORTED') throw new ProtoError('UNSUPPORTED', `version ${String(h.version)}`);
  if (!h.ok) throw new ProtoError('MALFORMED', `bad header or length (${frame.byteLength} bytes)`);
  if (h.op !== (EX_OP.SPAWN | EX_REPLY_BIT)) throw new ProtoError('MISMATCH', `reply op ${h.op}`);
  // The length is exact, so these reads cannot run short.
  const status = h.reader.u8();
  const taskId = h.reader.u64();
  if (!STATUSES.has(status)) throw new ProtoError('MALFORMED', `status ${String(status)}`);
  if ((status === ExecStatus.OK) !== (taskId !== 0n)) {
    throw new ProtoError('MALFORMED', 'a task id is set exactly when the status is OK');
  }
  return { status: status as ExecStatus, taskId };
}
