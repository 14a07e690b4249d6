import { hexU64 } from '@nexus/ipc';
import type { Policy } from '@nexus/sel';
import { printable } from './printable.js';

/**
 * A subject as `name (0x…)` when the policy knows the id, else the bare id: the one way every
 * command prints a kernel identity it can resolve.
 *
 * @example
 * subjectText(serviceIdFromName('keystored'), policy); // 'keystored (0x866cecf1b02a841b)'
 * subjectText(7n, policy);                             // '0x0000000000000007'
 */
export function subjectText(id: bigint, policy: Policy | undefined): string {
  const name = policy?.nameOf(id);
  return name === undefined ? hexU64(id) : `${printable(name)} (${hexU64(id)})`;
}
