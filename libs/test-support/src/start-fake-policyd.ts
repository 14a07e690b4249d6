import type { Kernel, SendCap, Task } from '@nexus/ipc';
import { decodePolicyRequest, encodePolicyReply, PO_OP, PO_STATUS, type PolicyRequest, type PolicyStatus } from '@nexus/proto';

/**
 * What the fake policyd answers to one decoded request:
 * - `allow` / `deny` / `malformed` / `unsupported`: a well-formed reply with that status, echoing
 *   the request's version, op and nonce;
 * - `wrong-nonce`: ALLOW with the nonce plus one; `wrong-op`: ALLOW naming ROUTE for anything but
 *   ROUTE, EXEC for ROUTE;
 * - `garbage`: `[P,O,9,9,9]`, which no PO decoder accepts;
 * - `silent`: never answers, so the caller times out;
 * - a `Uint8Array`: sent back as it is (for a test that needs exact bytes).
 */
export type FakePolicyAnswer =
  | 'allow'
  | 'deny'
  | 'malformed'
  | 'unsupported'
  | 'wrong-nonce'
  | 'wrong-op'
  | 'garbage'
  | 'silent'
  | Uint8Array;

/** The same answer to every request, or a function choosing one per request (it may be async). */
export type FakePolicyScript =
  | FakePolicyAnswer
  | ((request: PolicyRequest, senderServiceId: bigint) => FakePolicyAnswer | Promise<FakePolicyAnswer>);

/** One request the fake policyd decoded, with the kernel-stamped identity of its sender. */
export interface FakePolicydRequest {
  readonly sender: bigint;
  readonly request: PolicyRequest;
}

/** A running fake policyd: its task, the send right to grant, and every request it decoded. */
export interface FakePolicyd {
  readonly task: Task;
  readonly endpoint: SendCap;
  /** Decoded requests in arrival order (an undecodable frame gets the decoder's reply, unrecorded). */
  readonly seen: readonly FakePolicydRequest[];
}

const GARBAGE: Uint8Array = Uint8Array.of(0x50, 0x4f, 9, 9, 9);

const STATUS_OF: Readonly<Record<'allow' | 'deny' | 'malformed' | 'unsupported' | 'wrong-nonce' | 'wrong-op', PolicyStatus>> = {
  allow: PO_STATUS.ALLOW,
  deny: PO_STATUS.DENY,
  malformed: PO_STATUS.MALFORMED,
  unsupported: PO_STATUS.UNSUPPORTED,
  'wrong-nonce': PO_STATUS.ALLOW,
  'wrong-op': PO_STATUS.ALLOW,
};

function replyFor(request: PolicyRequest, answer: FakePolicyAnswer): Uint8Array | Promise<undefined> {
  if (answer instanceof Uint8Array) return answer;
  if (answer === 'garbage') return GARBAGE;
  // A handler that never settles leaves the caller's call pending until its own timeout.
  if (answer === 'silent') return new Promise<undefined>(() => undefined);
  const nonce = 'nonce' in request ? request.nonce : undefined;
  const op = answer === 'wrong-op' ? (request.op === PO_OP.ROUTE ? PO_OP.EXEC : PO_OP.ROUTE) : request.op;
  const sent = answer === 'wrong-nonce' ? ((nonce ?? 0) + 1) >>> 0 : nonce;
  return encodePolicyReply({ version: request.version, op, ...(sent === undefined ? {} : { nonce: sent }), status: STATUS_OF[answer] });
}

/**
 * Spawns a task named `policyd` that serves PO requests with `@nexus/proto`'s codec and answers
 * each as `script` says, recording every decoded request with its kernel-stamped sender. A test
 * double for services that ask policyd; it holds no policy. Kill or mute it through the kernel
 * (`kernel.kill(fake.task)`, `kernel.faults.mute(fake.task)`) to test the other failure paths.
 *
 * @example
 * const policyd = startFakePolicyd(kernel, (req) => (req.op === PO_OP.CHECK_CAP_DELEGATED ? 'allow' : 'deny'));
 * service.connectPolicyd(kernel.grant(policyd.endpoint, service.task));
 * expect(policyd.seen[0]?.sender).toBe(service.task.serviceId);
 */
export function startFakePolicyd(kernel: Kernel, script: FakePolicyScript): FakePolicyd {
  const task = kernel.spawn('policyd');
  const { recv, send } = kernel.createEndpoint(task);
  const seen: FakePolicydRequest[] = [];
  task.serve(recv, (msg) => {
    const decoded = decodePolicyRequest(msg.frame);
    if (!decoded.ok) return decoded.reply;
    const request = decoded.request;
    seen.push({ sender: msg.senderServiceId, request });
    const answer = typeof script === 'function' ? script(request, msg.senderServiceId) : script;
    // A synchronous script answers synchronously, like the real policyd's handler does.
    return answer instanceof Promise ? answer.then((a) => replyFor(request, a)) : replyFor(request, answer);
  });
  return { task, endpoint: send, seen };
}
