import { FrameWriter } from '@nexus/ipc';
import { guardFrame } from '@nexus/proto';
import { ExecdError } from './execd-error.js';
import { EX_MAGIC, EX_REPLY_BIT, EX_REPLY_BYTES, EX_VERSION, ExecStatus, type ExecReply } from './ex-wire.js';

const STATUSES: ReadonlySet<number> = new Set(Object.values(ExecStatus));

/**
 * Encodes an EX reply `[E,X,1,op|0x80,status,task_id:u64]`. `op` is the request's op (masked to
 * 7 bits), so an UNSUPPORTED reply echoes what it refused. Throws `ExecdError('BAD_VALUE')` for an
 * unknown status, or a task id that is 0 on OK or non-zero otherwise (a refusal names no task).
 *
 * @example
 * encodeExecReply({ status: ExecStatus.DENY, taskId: 0n }); // [0x45,0x58,1,0x81,5,0,0,0,0,0,0,0,0]
 */
export function encodeExecReply(reply: ExecReply, op = 1): Uint8Array {
  const { status, taskId } = reply;
  if (!STATUSES.has(status)) throw new ExecdError('BAD_VALUE', `status ${String(status)}`);
  if ((status === ExecStatus.OK) !== (taskId !== 0n)) {
    throw new ExecdError('BAD_VALUE', 'a task id is set exactly when the status is OK');
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
    ExecdError,
    'BAD_VALUE',
  );
}
