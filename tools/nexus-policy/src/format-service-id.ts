/**
 * Formats a kernel service id the way the audit trail and the original tools print it:
 * `0x` and 16 lowercase hex digits.
 *
 * @example
 * formatServiceId(0x866cecf1b02a841bn); // '0x866cecf1b02a841b'
 * formatServiceId(1n);                  // '0x0000000000000001'
 */
export function formatServiceId(id: bigint): string {
  return `0x${id.toString(16).padStart(16, '0')}`;
}
