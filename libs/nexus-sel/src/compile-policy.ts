import { serviceIdFromName } from '@nexus/ipc';
import { buildPolicy } from './build-policy.js';
import type { Policy, PolicyFile } from './policy.js';

/**
 * Compiles policy files (`recipes/policy/*.toml`) into one frozen `Policy`. Files are merged
 * order-independently; any problem throws `PolicyError` with the file, line and column.
 *
 * @example
 * const policy = compilePolicy([{ path: 'base.toml', text: '[allow]\nkeystored = ["crypto.sign"]' }]);
 * policy.decide({ subject: serviceIdFromName('keystored'), action: 'crypto.sign' }); // { allow: true, reason: 'allow', rule }
 */
export function compilePolicy(files: readonly PolicyFile[]): Policy {
  return buildPolicy(files, serviceIdFromName);
}
