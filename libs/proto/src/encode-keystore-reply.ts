import { FrameWriter } from '@nexus/ipc';
import { KS_MAGIC, KS_MAX_REPLY_VALUE, KS_STATUS, KS_VERSION, isKeystoreStatus, type KeystoreReply } from './ks-wire.js';
import { ProtoError } from './proto-error.js';
import { readGuard } from './read-guard.js';

/**
 * Encodes a KS reply `[K,S,1,op|0x80,status,vlen:u16,value]`. Throws `ProtoError('BAD_VALUE')` for
 * an op outside 0..0x7f, an unknown status, a value over 1024 bytes, or a value on a non-OK reply
 * (errors carry no detail).
 *
 * @example
 * encodeKeystoreReply({ op: KS_OP.GET_DEVICE_PRIVKEY, status: KS_STATUS.PRIVATE_EXPORT_DENIED, value: new Uint8Array(0) });
 * // [0x4b,0x53,0x01,0x8d,0x0c,0x00,0x00]
 */
export function encodeKeystoreReply(reply: KeystoreReply): Uint8Array {
  const { op, status, value } = reply;
  if (!Number.isInteger(op) || op < 0 || op > 0x7f) throw new ProtoError('BAD_VALUE', `op ${op}`);
  if (!isKeystoreStatus(status)) throw new ProtoError('BAD_VALUE', `status ${String(status)}`);
  if (status !== KS_STATUS.OK && value.byteLength !== 0) throw new ProtoError('BAD_VALUE', 'value on a non-OK reply');
  return readGuard(
    () =>
      new FrameWriter(7 + KS_MAX_REPLY_VALUE)
        .bytes(KS_MAGIC)
        .u8(KS_VERSION)
        .u8(op | 0x80)
        .u8(status)
        .bytes16(value, KS_MAX_REPLY_VALUE)
        .finish(),
    'BAD_VALUE',
  );
}
