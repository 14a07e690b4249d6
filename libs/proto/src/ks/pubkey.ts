import { FrameReader, FrameWriter } from '@nexus/ipc';
import { KS_PUBKEY_BYTES } from './wire.js';
import { isPrintableAscii } from '../printable-ascii.js';
import { ProtoError } from '../proto-error.js';
import { readGuard } from '../read-guard.js';

/** Longest label of a PUBKEY reply. */
export const KS_MAX_KEY_LABEL = 64;

/**
 * The value of a PUBKEY reply: `pubkey[32], key_class:u8, ll:u8, label[ll]` where `key_class`
 * is one of `KS_KEY_CLASS` (1 = BRINGUP_NOT_FOR_PRODUCTION) and the label is 1..64 printable ASCII.
 */
export interface KeystorePubkey {
  readonly publicKey: Uint8Array;
  readonly keyClass: number;
  readonly label: string;
}

function check(keyClass: number, label: string): void {
  if (!Number.isInteger(keyClass) || keyClass < 1 || keyClass > 0xff) throw new ProtoError('BAD_VALUE', 'key class');
  if (!isPrintableAscii(label, KS_MAX_KEY_LABEL)) {
    throw new ProtoError('BAD_VALUE', 'label must be 1..64 printable ASCII bytes');
  }
}

/**
 * Encodes the value of a PUBKEY reply. Throws `ProtoError('BAD_VALUE')` on a key that is not 32
 * bytes, a key class outside 1..255 or a bad label.
 *
 * @example
 * encodeKeystorePubkey({ publicKey, keyClass: KS_KEY_CLASS.BRINGUP_NOT_FOR_PRODUCTION, label: 'bring-up key' });
 */
export function encodeKeystorePubkey(pub: KeystorePubkey): Uint8Array {
  if (pub.publicKey.byteLength !== KS_PUBKEY_BYTES) throw new ProtoError('BAD_VALUE', 'public key must be 32 bytes');
  check(pub.keyClass, pub.label);
  return readGuard(
    () =>
      new FrameWriter(KS_PUBKEY_BYTES + 2 + KS_MAX_KEY_LABEL)
        .bytes(pub.publicKey)
        .u8(pub.keyClass)
        .str8(pub.label, KS_MAX_KEY_LABEL)
        .finish(),
    'BAD_VALUE',
  );
}

/**
 * Decodes the value of a PUBKEY reply; throws `ProtoError('MALFORMED')` unless it is exactly
 * the layout of {@link KeystorePubkey}.
 *
 * @example
 * const { publicKey, keyClass } = decodeKeystorePubkey(reply.value);
 */
export function decodeKeystorePubkey(value: Uint8Array): KeystorePubkey {
  const r = new FrameReader(value);
  return readGuard(() => {
    const publicKey = r.bytes(KS_PUBKEY_BYTES);
    const keyClass = r.u8();
    const label = r.str8(KS_MAX_KEY_LABEL);
    r.end();
    try {
      check(keyClass, label);
    } catch (cause) {
      throw new ProtoError('MALFORMED', 'key class or label', { cause });
    }
    return { publicKey, keyClass, label };
  });
}
