const MAX_CAPABILITY_BYTES = 48;
const FRESH_SEGMENTS = ['x-any', 'x-any-2', 'x-any-3', 'x', 'y', 'z'] as const;

/**
 * A concrete action that stands for every action a capability pattern matches and no rule names
 * exactly: the capability itself when it is exact, otherwise `PREFIX.x-any` (or another fresh last
 * segment when `x-any` is taken or too long). `undefined` when no valid action fits in 48 bytes.
 * `named` holds every exact capability the policies name.
 *
 * @example
 * representativeAction('crypto.sign', new Set());           // 'crypto.sign'
 * representativeAction('crypto.*', new Set(['crypto.sign'])); // 'crypto.x-any'
 */
export function representativeAction(capability: string, named: ReadonlySet<string>): string | undefined {
  if (!capability.endsWith('.*')) return capability;
  const prefix = capability.slice(0, -1);
  for (const segment of FRESH_SEGMENTS) {
    const action = `${prefix}${segment}`;
    if (action.length <= MAX_CAPABILITY_BYTES && !named.has(action)) return action;
  }
  return undefined;
}
