import { FrameWriter, isServiceName } from '@nexus/ipc';
import { guardFrame } from '@nexus/proto';
import { ExecdError } from './execd-error.js';
import { EX_MAGIC, EX_MAX_FRAME, EX_MAX_NAME, EX_OP, EX_VERSION } from './ex-wire.js';

/**
 * Encodes a SPAWN request `[E,X,1,1, nl:u8, name[nl]]`. Throws `ExecdError('BAD_VALUE')` for a
 * name that is not a canonical bundle name (1..48 bytes of `[a-z0-9._-]`).
 *
 * @example
 * encodeExecRequest('demo.testsvc'); // [0x45,0x58,1,1,12,...'demo.testsvc']
 */
export function encodeExecRequest(name: string): Uint8Array {
  if (!isServiceName(name)) {
    throw new ExecdError('BAD_VALUE', 'a bundle name must be 1..48 bytes of [a-z0-9._-]');
  }
  return guardFrame(
    () => new FrameWriter(EX_MAX_FRAME).bytes(EX_MAGIC).u8(EX_VERSION).u8(EX_OP.SPAWN).str8(name, EX_MAX_NAME).finish(),
    ExecdError,
    'BAD_VALUE',
  );
}
