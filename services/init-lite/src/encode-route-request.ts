import { FrameWriter, isServiceName } from '@nexus/ipc';
import { guardFrame } from '@nexus/proto';
import { InitLiteError } from './init-lite-error.js';
import { RT_MAGIC, RT_MAX_FRAME, RT_MAX_NAME, RT_OP, RT_VERSION } from './rt-wire.js';

/**
 * Encodes a ROUTE request `[R,T,1,1, nl:u8, name[nl]]`. Throws `InitLiteError('BAD_VALUE')` for a
 * name that is not a canonical service name (1..48 bytes of `[a-z0-9._-]`).
 *
 * @example
 * encodeRouteRequest('logd'); // [0x52,0x54,1,1,4,0x6c,0x6f,0x67,0x64]
 */
export function encodeRouteRequest(name: string): Uint8Array {
  if (!isServiceName(name)) {
    throw new InitLiteError('BAD_VALUE', 'a route target must be 1..48 bytes of [a-z0-9._-]');
  }
  return guardFrame(
    () => new FrameWriter(RT_MAX_FRAME).bytes(RT_MAGIC).u8(RT_VERSION).u8(RT_OP.ROUTE).str8(name, RT_MAX_NAME).finish(),
    InitLiteError,
    'BAD_VALUE',
  );
}
