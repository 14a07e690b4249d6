import { FrameWriter } from '@nexus/ipc';
import { guardFrame } from '@nexus/proto';
import { InitLiteError } from './init-lite-error.js';
import { RouteStatus, RT_MAGIC, RT_REPLY_BIT, RT_VERSION } from './rt-wire.js';

const STATUSES: ReadonlySet<number> = new Set(Object.values(RouteStatus));

/**
 * Encodes an RT reply `[R,T,1,op|0x80,status]`. `op` is the request's op (masked to 7 bits), so an
 * UNSUPPORTED reply echoes what it refused. The send right (OK only) travels beside the frame,
 * never in it. Throws `InitLiteError('BAD_VALUE')` for an unknown status.
 *
 * @example
 * encodeRouteReply(RouteStatus.DENY); // [0x52,0x54,1,0x81,5]
 */
export function encodeRouteReply(status: RouteStatus, op = 1): Uint8Array {
  if (!STATUSES.has(status)) throw new InitLiteError('BAD_VALUE', `status ${String(status)}`);
  return guardFrame(
    () => new FrameWriter(5).bytes(RT_MAGIC).u8(RT_VERSION).u8((op & 0x7f) | RT_REPLY_BIT).u8(status).finish(),
    InitLiteError,
    'BAD_VALUE',
  );
}
