import { FrameReader } from '@nexus/ipc';
import { ExecdError } from './execd-error.js';
import { EX_OP, EX_REPLY_BIT, EX_VERSION, ExecStatus, type ExecReply } from './ex-wire.js';
import { wireGuard } from './wire-guard.js';

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
  const r = new FrameReader(frame);
  const head = wireGuard(() => r.bytes(5));
  const taskId = wireGuard(() => r.u64());
  wireGuard(() => r.end());
  const [m0, m1, version, op, status] = head;
  if (m0 !== 0x45 || m1 !== 0x58) throw new ExecdError('MALFORMED', 'bad magic');
  if (version !== EX_VERSION) throw new ExecdError('UNSUPPORTED', `version ${String(version)}`);
  if (op !== (EX_OP.SPAWN | EX_REPLY_BIT)) throw new ExecdError('MISMATCH', `reply op ${String(op)}`);
  if (status === undefined || !STATUSES.has(status)) throw new ExecdError('MALFORMED', `status ${String(status)}`);
  if ((status === ExecStatus.OK) !== (taskId !== 0n)) {
    throw new ExecdError('MALFORMED', 'a task id is set exactly when the status is OK');
  }
  return { status: status as ExecStatus, taskId };
}
