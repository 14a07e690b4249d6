/**
 * How a client reaches its server: send one request frame, resolve with the reply frame, reject
 * on anything else. Services build it from their kernel task's `call`; tests use fakes.
 *
 * @example
 * const transport: Transport = async (frame, timeoutMs) =>
 *   (await task.call(policydRoute, frame, { timeoutMs })).frame;
 */
export type Transport = (frame: Uint8Array, timeoutMs: number) => Promise<Uint8Array>;

/** Why a call produced no reply frame. */
export type TransportFailure = 'timeout' | 'peer-closed' | 'error';

/** The outcome of one {@link callTransport}: a reply frame, or why there is none. */
export type TransportOutcome =
  | { readonly ok: true; readonly frame: Uint8Array }
  | { readonly ok: false; readonly failure: TransportFailure };

const PEER_GONE: ReadonlySet<string> = new Set(['PEER_CLOSED', 'TASK_DEAD', 'NO_REPLY']);

function failureOf(cause: unknown): TransportFailure {
  // Duck-typed on `code` so any transport that reports kernel-style codes is classified the same.
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause ? (cause as { code: unknown }).code : undefined;
  if (code === 'TIMEOUT') return 'timeout';
  if (typeof code === 'string' && PEER_GONE.has(code)) return 'peer-closed';
  return 'error';
}

/**
 * Calls a transport and never throws: a rejection or a synchronous throw becomes a
 * {@link TransportFailure}; a resolved value that is not a `Uint8Array` is `error`.
 *
 * @example
 * const out = await callTransport(transport, frame, 500);
 * if (!out.ok) return { allow: false, status: out.failure };
 */
export async function callTransport(
  transport: Transport,
  frame: Uint8Array,
  timeoutMs: number,
): Promise<TransportOutcome> {
  try {
    const reply: unknown = await transport(frame, timeoutMs);
    return reply instanceof Uint8Array ? { ok: true, frame: reply } : { ok: false, failure: 'error' };
  } catch (cause) {
    return { ok: false, failure: failureOf(cause) };
  }
}
