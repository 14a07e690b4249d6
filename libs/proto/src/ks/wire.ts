/** The two magic bytes `KS` that open every keystored frame. */
export const KS_MAGIC: Uint8Array = Uint8Array.of(0x4b, 0x53);

/** The only KS protocol version. */
export const KS_VERSION = 1;

/** Longest key of PUT / GET / DEL, in bytes. */
export const KS_MAX_KEY = 64;

/** Longest value of PUT, in bytes. */
export const KS_MAX_VALUE = 256;

/** Longest VERIFY / SIGN payload: 1 MiB. */
export const KS_MAX_PAYLOAD: number = 1024 * 1024;

/** Largest KS request (a VERIFY of a 1 MiB payload); longer is `TOO_LARGE` before parsing. */
export const KS_MAX_FRAME: number = 4 + 4 + 32 + 64 + KS_MAX_PAYLOAD;

/** Longest reply value. */
export const KS_MAX_REPLY_VALUE = 1024;

/**
 * The domain-separation prefix every SEAL message must start with: ASCII `nexus-audit-checkpoint-v1`
 * and a NUL (the same bytes as `@nexus/audit`'s `CHECKPOINT_DOMAIN`; a test keeps them equal). SEAL
 * refuses anything else, so the audit key signs checkpoint messages and nothing else.
 *
 * @example
 * new TextDecoder().decode(KS_SEAL_DOMAIN); // 'nexus-audit-checkpoint-v1\0'
 */
export const KS_SEAL_DOMAIN: Uint8Array = new TextEncoder().encode('nexus-audit-checkpoint-v1\0');

/** The exact length of a SEAL message (a checkpoint message, `CHECKPOINT_LIMITS.messageBytes`). */
export const KS_SEAL_MESSAGE_BYTES = 202;

/** Size of a key id (SHA-256 of the key's SPKI DER). */
export const KS_KEY_ID_BYTES = 32;

/** Ed25519 sizes. */
export const KS_PUBKEY_BYTES = 32;
/** Ed25519 signature size. */
export const KS_SIGNATURE_BYTES = 64;

/**
 * KS op codes.
 *
 * @example
 * KS_OP.SIGN; // 5
 */
export const KS_OP: {
  readonly PUT: 1;
  readonly GET: 2;
  readonly DEL: 3;
  readonly VERIFY: 4;
  readonly SIGN: 5;
  readonly PUBKEY: 6;
  readonly SEAL: 7;
  readonly AUDIT_PUBKEY: 8;
  readonly GET_DEVICE_PRIVKEY: 13;
} = Object.freeze({ PUT: 1, GET: 2, DEL: 3, VERIFY: 4, SIGN: 5, PUBKEY: 6, SEAL: 7, AUDIT_PUBKEY: 8, GET_DEVICE_PRIVKEY: 13 });

/** One KS op code. */
export type KeystoreOp = (typeof KS_OP)[keyof typeof KS_OP];

/**
 * KS reply status codes.
 *
 * @example
 * reply.status === KS_STATUS.PRIVATE_EXPORT_DENIED;
 */
export const KS_STATUS: {
  readonly OK: 0;
  readonly NOT_FOUND: 1;
  readonly MALFORMED: 2;
  readonly TOO_LARGE: 3;
  readonly UNSUPPORTED: 4;
  readonly DENY: 5;
  readonly KEY_EXISTS: 10;
  readonly KEY_NOT_FOUND: 11;
  readonly PRIVATE_EXPORT_DENIED: 12;
} = Object.freeze({
  OK: 0,
  NOT_FOUND: 1,
  MALFORMED: 2,
  TOO_LARGE: 3,
  UNSUPPORTED: 4,
  DENY: 5,
  KEY_EXISTS: 10,
  KEY_NOT_FOUND: 11,
  PRIVATE_EXPORT_DENIED: 12,
});

/** One KS status code. */
export type KeystoreStatus = (typeof KS_STATUS)[keyof typeof KS_STATUS];

/**
 * Key classes a PUBKEY reply can label its key with. 1 marks the bring-up key, which must never
 * be trusted in production.
 *
 * @example
 * if (pub.keyClass === KS_KEY_CLASS.BRINGUP_NOT_FOR_PRODUCTION) warn();
 */
export const KS_KEY_CLASS: { readonly BRINGUP_NOT_FOR_PRODUCTION: 1 } = Object.freeze({
  BRINGUP_NOT_FOR_PRODUCTION: 1,
});

/**
 * Every KS request. Keys are UTF-8 strings of 1..64 bytes in the caller's own namespace
 * (keystored scopes them by the kernel sender id, never by anything in the frame).
 *
 * @example
 * const req: KeystoreRequest = { op: KS_OP.SIGN, payload };
 */
export type KeystoreRequest =
  | { readonly op: 1; readonly key: string; readonly value: Uint8Array }
  | { readonly op: 2; readonly key: string }
  | { readonly op: 3; readonly key: string }
  | { readonly op: 4; readonly publicKey: Uint8Array; readonly signature: Uint8Array; readonly payload: Uint8Array }
  | { readonly op: 5; readonly payload: Uint8Array }
  | { readonly op: 6 }
  | { readonly op: 7; readonly message: Uint8Array }
  | { readonly op: 8 }
  | { readonly op: 13 };

/**
 * A KS reply. A reply whose status is not OK carries no value.
 *
 * @example
 * const reply: KeystoreReply = { op: KS_OP.GET, status: KS_STATUS.OK, value };
 */
export interface KeystoreReply {
  readonly op: number;
  readonly status: KeystoreStatus;
  readonly value: Uint8Array;
}

/** What a server gets from {@link decodeKeystoreRequest}: a request, or the status and reply frame. */
export type KeystoreDecodeResult =
  | { readonly ok: true; readonly request: KeystoreRequest }
  | {
      readonly ok: false;
      readonly status: 2 | 3 | 4;
      readonly op?: number;
      readonly reply: Uint8Array;
    };

/**
 * Whether `s` is one of the KS status codes.
 *
 * @internal
 * @example
 * isKeystoreStatus(12); // true
 */
export function isKeystoreStatus(s: number): s is KeystoreStatus {
  return (Object.values(KS_STATUS) as number[]).includes(s);
}
