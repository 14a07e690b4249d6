/**
 * The largest unsigned 64-bit value: the bound of every u64 field on the wire and in the audit
 * chain (ids, seqs, counters, nonces).
 *
 * @example
 * const next = (nonce + 1n) & U64_MAX; // wraps at 2^64
 */
export const U64_MAX: bigint = 0xffff_ffff_ffff_ffffn;

/**
 * A u64 as `0x` and 16 lowercase hex digits: how service ids and target ids are printed and
 * recorded everywhere (audit lines, tools, replies).
 *
 * @example
 * hexU64(0x866cecf1b02a841bn); // '0x866cecf1b02a841b'
 * hexU64(1n);                  // '0x0000000000000001'
 */
export function hexU64(value: bigint): string {
  return `0x${value.toString(16).padStart(16, '0')}`;
}
