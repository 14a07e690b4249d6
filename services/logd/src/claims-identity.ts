import { LO_AUDIT_SCOPE } from '@nexus/proto';

/**
 * A key naming an identity (`service`, `sender`, `subject`, optionally followed by `id` / `_id` /
 * `-id` / `.id`) at a key boundary, then `=` or `:`. Fields are read byte by byte (latin1), so a
 * claim hidden in invalid UTF-8 is still found.
 */
const IDENTITY_KEY = /(?:^|[^a-z0-9_.-])(?:service|sender|subject)(?:[_.-]?id)?\s*[=:]/i;

/** The start of the audit text line (`audit v2 op=...`, any version); in the general journal it is a forgery. */
const AUDIT_LINE = /^\s*audit\s+v[0-9]+\b/i;

const latin1 = new TextDecoder('latin1');

/**
 * Whether a general APPEND tries to speak for someone else: a `policyd.audit` scope (any case,
 * any suffix, surrounding blanks), a field key naming an identity (`service=`, `sender_id:`,
 * `subject=` ...), or a message that reads as an audit line. A record's service id is always the
 * kernel sender id, so such an append is refused (DENIED) rather than stored and misread later.
 *
 * @example
 * claimsIdentity('app', 'started', new TextEncoder().encode('service=keystored')); // true
 * claimsIdentity('app', 'started', new TextEncoder().encode('port=80'));           // false
 */
export function claimsIdentity(scope: string, message: string, fields: Uint8Array): boolean {
  return (
    scope.trim().toLowerCase().startsWith(LO_AUDIT_SCOPE) ||
    AUDIT_LINE.test(message) ||
    IDENTITY_KEY.test(latin1.decode(fields))
  );
}
