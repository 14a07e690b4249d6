import { callTransport, type Transport } from '../call-transport.js';
import { decodeExecReply, encodeExecRequest } from './codec.js';
import { ExecStatus, type ExecReply } from './wire.js';

/** Why a {@link ExecClient.spawn} started nothing: an EX status, or a transport or reply failure. */
export type ExecFailure =
  | 'not-found'
  | 'malformed'
  | 'too-large'
  | 'unsupported'
  | 'deny'
  | 'spawn-failed'
  | 'timeout'
  | 'peer-closed'
  | 'bad-reply'
  | 'error';

/** The answer of {@link ExecClient.spawn}: the new task's service id, or why there is none. */
export type ExecOutcome = { readonly status: 'ok'; readonly taskId: bigint } | { readonly status: ExecFailure };

/** Options of an {@link ExecClient}. */
export interface ExecClientOptions {
  /** Timeout of each SPAWN call, in ms. Default 1500 (execd itself waits on bundlemgrd and policyd). */
  readonly timeoutMs?: number;
}

const FAILURE_OF: Readonly<Record<Exclude<ExecStatus, 0>, ExecFailure>> = {
  [ExecStatus.NOT_FOUND]: 'not-found',
  [ExecStatus.MALFORMED]: 'malformed',
  [ExecStatus.TOO_LARGE]: 'too-large',
  [ExecStatus.UNSUPPORTED]: 'unsupported',
  [ExecStatus.DENY]: 'deny',
  [ExecStatus.SPAWN_FAILED]: 'spawn-failed',
};

/**
 * A client of execd that never throws: `ok` only for a well-formed OK reply to a SPAWN; a timeout,
 * a closed peer, a thrown transport or a garbage reply is a failure status. A name it cannot
 * encode is `malformed` and is not sent.
 *
 * @example
 * const exec = new ExecClient(async (f, t) => (await task.call(execdCap, f, { timeoutMs: t })).frame);
 * const out = await exec.spawn('demo.testsvc');
 * if (out.status === 'ok') out.taskId; // serviceIdFromName('demo.testsvc')
 */
export class ExecClient {
  readonly #transport: Transport;
  readonly #timeoutMs: number;

  constructor(transport: Transport, options: ExecClientOptions = {}) {
    this.#transport = transport;
    this.#timeoutMs = options.timeoutMs ?? 1500;
  }

  /**
   * SPAWN: run the installed bundle `name` as a task.
   *
   * @example
   * await exec.spawn('demo.testsvc'); // { status: 'deny' } for a caller without `proc.spawn`
   */
  async spawn(name: string): Promise<ExecOutcome> {
    let frame: Uint8Array;
    try {
      frame = encodeExecRequest(name);
    } catch {
      return { status: 'malformed' };
    }
    const out = await callTransport(this.#transport, frame, this.#timeoutMs);
    if (!out.ok) return { status: out.failure };
    let reply: ExecReply;
    try {
      reply = decodeExecReply(out.frame);
    } catch {
      return { status: 'bad-reply' };
    }
    return reply.status === ExecStatus.OK ? { status: 'ok', taskId: reply.taskId } : { status: FAILURE_OF[reply.status] };
  }
}
