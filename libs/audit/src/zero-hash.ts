/**
 * @internal The all-zero hash: the `prevHash` of seq 1 and the placeholder of a hash not yet
 * computed. Shared, so never written to: code that fills a hash writes a fresh buffer.
 *
 * @example
 * record.seq === 1n && sameBytes(record.prevHash, ZERO_HASH); // the chain's first link
 */
// 32 written out (SHA-256), not HASH_BYTES: the hash module encodes records, which need this.
export const ZERO_HASH: Uint8Array = new Uint8Array(32);
