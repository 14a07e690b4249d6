import { FrameReader } from '@nexus/ipc';
import { InitLiteError } from './init-lite-error.js';
import { RouteStatus, RT_OP, RT_REPLY_BIT, RT_VERSION } from './rt-wire.js';
import { wireGuard } from './wire-guard.js';

const STATUSES: ReadonlySet<number> = new Set(Object.values(RouteStatus));

/**
 * Decodes an RT reply to a ROUTE and returns its status. Throws `InitLiteError`: `MALFORMED` for
 * bad magic, a wrong length or an unknown status, `UNSUPPORTED` for another version, `MISMATCH`
 * for a reply to another op.
 *
 * @example
 * decodeRouteReply(Uint8Array.of(0x52, 0x54, 1, 0x81, 0)); // 0 (RouteStatus.OK)
 */
export function decodeRouteReply(frame: Uint8Array): RouteStatus {
  const r = new FrameReader(frame);
  const [m0, m1, version, op, status] = wireGuard(() => [r.u8(), r.u8(), r.u8(), r.u8(), r.u8()]);
  wireGuard(() => r.end());
  if (m0 !== 0x52 || m1 !== 0x54) throw new InitLiteError('MALFORMED', 'bad magic');
  if (version !== RT_VERSION) throw new InitLiteError('UNSUPPORTED', `version ${version}`);
  if (op !== (RT_OP.ROUTE | RT_REPLY_BIT)) throw new InitLiteError('MISMATCH', `reply op 0x${op.toString(16)}`);
  if (!STATUSES.has(status)) throw new InitLiteError('MALFORMED', `status ${status}`);
  return status as RouteStatus;
}
