// The RT codec: encode and decode of a request and of a reply, as the README's layout tables give them.
import { FrameWriter, isServiceName } from '@nexus/ipc';
import { guardFrame } from '../guard-frame.js';
import { ProtoError } from '../proto-error.js';
import { readFrameHeader } from '../read-frame-header.js';
import { RouteStatus, RT_MAGIC, RT_MAX_FRAME, RT_MAX_NAME, RT_OP, RT_REPLY_BIT, RT_VERSION, type RouteDecodeResult } from './wire.js';

/**
 * Encodes a ROUTE request `[R,T,1,1, nl:u8, name[nl]]`. Throws `ProtoError('BAD_VALUE')` for a
 * name that is not a canonical service name (1..48 bytes of `[a-z0-9._-]`).
 *
 * @example
 * encodeRouteRequest('logd'); // [0x52,0x54,1,1,4,0x6c,0x6f,0x67,0x64]
 */
export function encodeRouteRequest(name: string): Uint8Array {
  if (!isServiceName(name)) {
    throw new ProtoError('BAD_VALUE', 'a route target must be 1..48 bytes of [a-z0-9._-]');
  }
  return guardFrame(
    () => new FrameWriter(RT_MAX_FRAME).bytes(RT_MAGIC).u8(RT_VERSION).u8(RT_OP.ROUTE).str8(name, RT_MAX_NAME).finish(),
    ProtoError,
    'BAD_VALUE',
  );
}

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

const STATUSES: ReadonlySet<number> = new Set(Object.values(RouteStatus));

/**
 * Encodes an RT reply `[R,T,1,op|0x80,status]`. `op` is the request's op (masked to 7 bits), so an
 * UNSUPPORTED reply echoes what it refused. The send right (OK only) travels beside the frame,
 * never in it. Throws `ProtoError('BAD_VALUE')` for an unknown status.
 *
 * @example
 * encodeRouteReply(RouteStatus.DENY); // [0x52,0x54,1,0x81,5]
 */
export function encodeRouteReply(status: RouteStatus, op = 1): Uint8Array {
  if (!STATUSES.has(status)) throw new ProtoError('BAD_VALUE', `status ${String(status)}`);
  return guardFrame(
    () => new FrameWriter(5).bytes(RT_MAGIC).u8(RT_VERSION).u8((op & 0x7f) | RT_REPLY_BIT).u8(status).finish(),
    ProtoError,
    'BAD_VALUE',
  );
}

/**
 * Decodes an RT reply to a ROUTE and returns its status. Throws `ProtoError`: `MALFORMED` for
 * bad magic, a wrong length or an unknown status, `UNSUPPORTED` for another version, `MISMATCH`
 * for a reply to another op.
 *
 * @example
 * decodeRouteReply(Uint8Array.of(0x52, 0x54, 1, 0x81, 0)); // 0 (RouteStatus.OK)
 */
export function decodeRouteReply(frame: Uint8Array): RouteStatus {
  // Every RT reply is exactly the header and a status byte.
  const h = readFrameHeader(frame, { magic: RT_MAGIC, version: RT_VERSION, maxFrame: 5, minFrame: 5 });
  if (!h.ok && h.problem === 'UNSUPPORTED') throw new ProtoError('UNSUPPORTED', `version ${String(h.version)}`);
  if (!h.ok) throw new ProtoError('MALFORMED', `bad header or length (${frame.byteLength} bytes)`);
  if (h.op !== (RT_OP.ROUTE | RT_REPLY_BIT)) throw new ProtoError('MISMATCH', `reply op 0x${h.op.toString(16)}`);
  const status = h.reader.u8();
  if (!STATUSES.has(status)) throw new ProtoError('MALFORMED', `status ${status}`);
  return status as RouteStatus;
}
