import { CodedError, type CodeOf } from '@nexus/ipc';

/**
 * Every failure `@nexus/proto` reports, with its meaning. The code union is derived from this table,
 * and the same names mean the same in every package's error.
 *
 * @example
 * PROTO_ERROR_CODES.MISMATCH; // 'a well-formed reply that does not answer the request (version, op or nonce)'
 */
export const PROTO_ERROR_CODES = {
  MALFORMED: 'the bytes do not follow the layout (bad magic, truncated, trailing, bad field)',
  TOO_LARGE: 'a frame or a field exceeds its bound',
  UNSUPPORTED: 'unknown version or op',
  BAD_VALUE: 'an encoder was given a value its field cannot carry',
  MISMATCH: 'a well-formed reply that does not answer the request (version, op or nonce)',
} as const;

/**
 * Every failure `@nexus/proto` reports. A closed union so callers can switch exhaustively.
 *
 * @example
 * const code: ProtoErrorCode = 'MISMATCH';
 */
export type ProtoErrorCode = CodeOf<typeof PROTO_ERROR_CODES>;

/**
 * The one error class of `@nexus/proto`. Decoders and encoders of every protocol (PO, KS, LO, BM,
 * EX, RT) throw nothing else.
 *
 * @example
 * try { decodePolicyReply(frame, { version: 1, op: 1 }); }
 * catch (e) { if (e instanceof ProtoError && e.code === 'MISMATCH') deny(); }
 */
export class ProtoError extends CodedError<ProtoErrorCode> {
  override readonly name: 'ProtoError' = 'ProtoError';
}
