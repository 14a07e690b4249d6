const SERVICE_NAME = /^[a-z0-9._-]{1,48}$/;

/**
 * Whether a name is one the kernel can run (1..48 bytes of `[a-z0-9._-]`). The tool refuses any
 * other subject instead of hashing it, since no task could ever carry that id.
 *
 * @example
 * isServiceName('keystored'); // true
 * isServiceName('KeyStored'); // false
 */
export function isServiceName(name: string): boolean {
  return SERVICE_NAME.test(name);
}
