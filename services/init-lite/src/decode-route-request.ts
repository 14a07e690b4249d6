import { isServiceName } from '@nexus/ipc';
import { readFrameHeader } from '@nexus/proto';
import { encodeRouteReply } from './encode-route-reply.js';
import { RouteStatus, RT_MAGIC, RT_MAX_FRAME, RT_MAX_NAME, RT_OP, RT_VERSION, type RouteDecodeResult } from './rt-wire.js';

const ascii = new TextDecoder('latin1');

/**
 * Decodes an RT request as init-lite receives it. Never throws: a bad frame comes back as
 * `{ ok: false, status, reply }` with the reply to send. Checks, in order: size (> 64 bytes →
 * TOO_LARGE, before any parsing), magic (→ MALFORMED), version and op (→ UNSUPPORTED), the name
 * length (0 → MALFORMED, > 48 → TOO_LARGE), then the exact length and a canonical name (→ MALFORMED).
 *
 * @example
 * const res = decodeRouteRequest(msg.frame);
 * if (!res.ok) return res.reply;
 * res.request.name; // 'logd'
 */
export function decodeRouteRequest(frame: Uint8Array): RouteDecodeResult {
  // At least the header and the name length byte.
  const h = readFrameHeader(frame, { magic: RT_MAGIC, version: RT_VERSION, maxFrame: RT_MAX_FRAME, minFrame: 5 });
  const fail = (status: 2 | 3 | 4): RouteDecodeResult => ({ ok: false, status, reply: encodeRouteReply(status, h.op ?? RT_OP.ROUTE) });
  if (!h.ok) return fail(RouteStatus[h.problem]);
  if (h.op !== RT_OP.ROUTE) return fail(RouteStatus.UNSUPPORTED);
  const r = h.reader;
  const nl = r.u8();
  if (nl > RT_MAX_NAME) return fail(RouteStatus.TOO_LARGE);
  if (nl === 0 || nl !== r.remaining) return fail(RouteStatus.MALFORMED);
  const name = ascii.decode(r.bytes(nl));
  if (!isServiceName(name)) return fail(RouteStatus.MALFORMED);
  return { ok: true, request: { op: RT_OP.ROUTE, name } };
}
