/** The header fields a request decoder could read before it gave up. */
export interface DecodeSeen<N> {
  readonly version?: number | undefined;
  readonly op?: number | undefined;
  readonly nonce?: N | undefined;
}

/** A failed request decode: the status, the header fields that were read, the reply to send. */
export type DecodeFailure<S, N> = {
  readonly ok: false;
  readonly status: S;
  readonly version?: number;
  readonly op?: number;
  readonly nonce?: N;
  readonly reply: Uint8Array;
};

/**
 * Builds a failed decode result, leaving out the header fields that could not be read (so a
 * server never mistakes a default for an echoed value).
 *
 * @internal
 * @example
 * return decodeFailure(PO_STATUS.MALFORMED, { version, op }, reply);
 */
export function decodeFailure<S, N>(status: S, seen: DecodeSeen<N>, reply: Uint8Array): DecodeFailure<S, N> {
  return {
    ok: false,
    status,
    ...(seen.version === undefined ? {} : { version: seen.version }),
    ...(seen.op === undefined ? {} : { op: seen.op }),
    ...(seen.nonce === undefined ? {} : { nonce: seen.nonce }),
    reply,
  };
}
