import { readFrameHeader } from '@nexus/proto';
import { InitLiteError } from './init-lite-error.js';
import { RouteStatus, RT_MAGIC, RT_OP, RT_REPLY_BIT, RT_VERSION } from './rt-wire.js';

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
  // Every RT reply is exactly the header and a status byte.
  const h = readFrameHeader(frame, { magic: RT_MAGIC, version: RT_VERSION, maxFrame: 5, minFrame: 5 });
  if (!h.ok && h.problem === 'UNSUPPORTED') throw new InitLiteError('UNSUPPORTED', `version ${String(h.version)}`);
  if (!h.ok) throw new InitLiteError('MALFORMED', `bad header or length (${frame.byteLength} bytes)`);
  if (h.op !== (RT_OP.ROUTE | RT_REPLY_BIT)) throw new InitLiteError('MISMATCH', `reply op 0x${h.op.toString(16)}`);
  const status = h.reader.u8();
  if (!STATUSES.has(status)) throw new InitLiteError('MALFORMED', `status ${status}`);
  return status as RouteStatus;
}
