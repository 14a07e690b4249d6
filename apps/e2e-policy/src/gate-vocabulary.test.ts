import { BUNDLE_INSTALL_CAP } from '@nexus/bundlemgrd';
import { SEAL_CAP, SIGN_CAP } from '@nexus/keystored';
import { LOGD_READ_CAPS } from '@nexus/logd';
import { DELEGATE_CAPABILITY, OP_QUERY_TABLE } from '@nexus/policyd';
import { loadPolicyDir } from '@nexus/sel/node';
import { describe, expect, test } from 'vitest';
import { defaultPolicyDir } from './default-policy-dir.js';

// Every capability a service asks policyd about, from the services' own constants.
const fixed = [...OP_QUERY_TABLE.values()].flatMap((spec): string[] => {
  const source: unknown = spec.action;
  const value = typeof source === 'object' && source !== null && 'fixed' in source ? source.fixed : undefined;
  return typeof value === 'string' ? [value] : [];
});
const GATES: readonly (readonly [string, string])[] = [
  ['bundlemgrd install', BUNDLE_INSTALL_CAP],
  ['keystored sign', SIGN_CAP],
  ['keystored seal', SEAL_CAP],
  ...Object.values(LOGD_READ_CAPS).map((cap) => ['logd read', cap] as const),
  ['policyd delegation', DELEGATE_CAPABILITY],
  ...fixed.map((cap) => ['policyd op', cap] as const),
];

describe('the recipes declare every capability the services gate on', () => {
  test.each(GATES)('%s: %s', async (_gate, capability) => {
    const policy = await loadPolicyDir(defaultPolicyDir());
    const declared = policy.capabilities.map((c) => c.capability);
    const family = declared.some((d) => d.endsWith('.*') && capability.startsWith(d.slice(0, -1)));
    expect(declared.includes(capability) || family, `${capability} is not in recipes/policy/capabilities.toml`).toBe(true);
  });
});
