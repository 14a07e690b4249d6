import { FrameReader, isServiceName } from '@nexus/ipc';
import { encodeRouteReply } from './encode-route-reply.js';
import { RouteStatus, RT_MAX_FRAME, RT_MAX_NAME, RT_OP, RT_VERSION, type RouteDecodeResult } from './rt-wire.js';

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
  let op: number = RT_OP.ROUTE;
  const fail = (status: 2 | 3 | 4): RouteDecodeResult => ({ ok: false, status, reply: encodeRouteReply(status, op) });

  if (frame.byteLength > RT_MAX_FRAME) return fail(RouteStatus.TOO_LARGE);
  if (frame.byteLength < 5) return fail(RouteStatus.MALFORMED);
  const r = new FrameReader(frame);
  if (r.u8() !== 0x52 || r.u8() !== 0x54) return fail(RouteStatus.MALFORMED);
  const version = r.u8();
  op = r.u8();
  if (version !== RT_VERSION || op !== RT_OP.ROUTE) return fail(RouteStatus.UNSUPPORTED);
  const nl = r.u8();
  if (nl > RT_MAX_NAME) return fail(RouteStatus.TOO_LARGE);
  if (nl === 0 || nl !== r.remaining) return fail(RouteStatus.MALFORMED);
  const name = ascii.decode(r.bytes(nl));
  if (!isServiceName(name)) return fail(RouteStatus.MALFORMED);
  return { ok: true, request: { op: RT_OP.ROUTE, name } };
}
