import { FrameWriter } from '@nexus/ipc';
import { LO_MAGIC } from './wire.js';
import { ProtoError } from '../proto-error.js';

/**
 * Starts an LO frame: `[L,O,version,op]` and, on v2, `nonce:u64`.
 *
 * @internal
 * @example
 * const w = writeLogHeader(64, 2, 0x81, 7n).u8(0);
 */
export function writeLogHeader(capacity: number, version: number, op: number, nonce: bigint | undefined): FrameWriter {
  if ((version === 1) !== (nonce === undefined)) {
    throw new ProtoError('BAD_VALUE', 'a nonce is required on v2 and absent on v1');
  }
  const w = new FrameWriter(capacity).bytes(LO_MAGIC).u8(version).u8(op);
  if (nonce !== undefined) w.u64(nonce);
  return w;
}

