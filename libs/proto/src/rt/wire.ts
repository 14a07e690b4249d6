import { SERVICE_NAME_MAX_BYTES } from '@nexus/ipc';

/** The two magic bytes `RT` that open every init-lite frame. */
export const RT_MAGIC: Uint8Array = Uint8Array.of(0x52, 0x54);

/** The only RT protocol version. */
export const RT_VERSION = 1;

/** Longest service name a ROUTE carries, in bytes: the kernel's service-name bound. */
export const RT_MAX_NAME: 48 = SERVICE_NAME_MAX_BYTES;

/**
 * Largest RT request frame (header 4 + length 1 + name 48, rounded up); anything longer is
 * answered TOO_LARGE before any parsing.
 */
export const RT_MAX_FRAME = 64;

/** Bit set on the op byte of every reply. */
export const RT_REPLY_BIT = 0x80;

/**
 * RT op codes.
 *
 * @example
 * RT_OP.ROUTE; // 1
 */
export const RT_OP: { readonly ROUTE: 1 } = Object.freeze({ ROUTE: 1 });

/**
 * RT reply status codes (the value); `RouteStatus` is also the type of one code.
 *
 * @example
 * reply.status === RouteStatus.DENY;
 */
export const RouteStatus: {
  readonly OK: 0;
  readonly NOT_FOUND: 1;
  readonly MALFORMED: 2;
  readonly TOO_LARGE: 3;
  readonly UNSUPPORTED: 4;
  readonly DENY: 5;
} = Object.freeze({ OK: 0, NOT_FOUND: 1, MALFORMED: 2, TOO_LARGE: 3, UNSUPPORTED: 4, DENY: 5 });

/** One RT status code. */
export type RouteStatus = (typeof RouteStatus)[keyof typeof RouteStatus];

/**
 * A ROUTE request: hand the caller a send right to the service `name`.
 *
 * @example
 * const req: RouteRequest = { op: RT_OP.ROUTE, name: 'logd' };
 */
export interface RouteRequest {
  readonly op: 1;
  readonly name: string;
}

/**
 * What init-lite gets from `decodeRouteRequest`: a request, or the status to answer with and the
 * ready-made reply frame.
 */
export type RouteDecodeResult =
  | { readonly ok: true; readonly request: RouteRequest }
  | { readonly ok: false; readonly status: 2 | 3 | 4; readonly reply: Uint8Array };

