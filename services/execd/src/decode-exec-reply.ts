import { readFrameHeader } from '@nexus/proto';
import { ExecdError } from './execd-error.js';
import { EX_MAGIC, EX_OP, EX_REPLY_BIT, EX_REPLY_BYTES, EX_VERSION, ExecStatus, type ExecReply } from './ex-wire.js';

const STATUSES: ReadonlySet<number> = new Set(Object.values(ExecStatus));

/**
 * Decodes an EX reply to a SPAWN. Throws `ExecdError`: `MALFORMED` for bad magic, a wrong length,
 * an unknown status or a task id that contradicts the status, `UNSUPPORTED` for another version,
 * `MISMATCH` for a reply to another op.
 *
 * @example
 * decodeExecReply(encodeExecReply({ status: ExecStatus.OK, taskId: 7n })); // { status: 0, taskId: 7n }
 */
export function decodeExecReply(frame: Uint8Array): ExecReply {
  const h = readFrameHeader(frame, { magic: EX_MAGIC, version: EX_VERSION, maxFrame: EX_REPLY_BYTES, minFrame: EX_REPLY_BYTES });
  if (!h.ok && h.problem === 'UNSUPPORTED') throw new ExecdError('UNSUPPORTED', `version ${String(h.version)}`);
  if (!h.ok) throw new ExecdError('MALFORMED', `bad header or length (${frame.byteLength} bytes)`);
  if (h.op !== (EX_OP.SPAWN | EX_REPLY_BIT)) throw new ExecdError('MISMATCH', `reply op ${h.op}`);
  // The length is exact, so these reads cannot run short.
  const status = h.reader.u8();
  const taskId = h.reader.u64();
  if (!STATUSES.has(status)) throw new ExecdError('MALFORMED', `status ${String(status)}`);
  if ((status === ExecStatus.OK) !== (taskId !== 0n)) {
    throw new ExecdError('MALFORMED', 'a task id is set exactly when the status is OK');
  }
  return { status: status as ExecStatus, taskId };
}
