import { ProtoError } from './proto-error.js';

// The policy alphabet (RFC-0015 §5.2): what a name, capability or target may hold once normalized.
const POLICY_ALPHABET = /^[a-z0-9._*@-]+$/;
const EDGE_SPACE = /^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g;

/**
 * Normalizes a capability or target read from a PO frame the way the policy normalizes it (ASCII
 * whitespace trimmed at both ends, ASCII letters lowercased) and refuses, as `MALFORMED`, anything
 * that then falls outside the policy alphabet `[a-z0-9._*@-]`. So the record of a decision names
 * exactly what the policy was asked, and no control byte ever reaches a record or a console.
 *
 * @example
 * policyName(' EXECD ');   // 'execd'
 * policyName('x\u001b[2K'); // throws ProtoError('MALFORMED')
 */
export function policyName(raw: string): string {
  const name = raw.replace(EDGE_SPACE, '').toLowerCase();
  if (!POLICY_ALPHABET.test(name)) throw new ProtoError('MALFORMED', 'a name outside the policy alphabet [a-z0-9._*@-]');
  return name;
}

/**
 * Checks a claimed service name from a PO frame: it keeps its spelling (it is hashed as sent, so a
 * claim that is not a service's exact name stays an identity mismatch), but a byte outside the
 * policy alphabet and ASCII letters is `MALFORMED`, so no control byte reaches a record.
 *
 * @example
 * claimedName('execd'); // 'execd'
 * claimedName('ex\ncd'); // throws ProtoError('MALFORMED')
 */
export function claimedName(raw: string): string {
  if (!/^[A-Za-z0-9._*@ -]+$/.test(raw)) throw new ProtoError('MALFORMED', 'a name outside the policy alphabet [a-z0-9._*@-]');
  return raw;
}
