import { U64_MAX } from '@nexus/ipc';
import { callTransport, type Transport, type TransportFailure } from '../call-transport.js';
import { decodeLogReply, encodeLogRequest } from './codec.js';
import {
  LO_ANY,
  LO_OP,
  LO_STATUS,
  type LogAppend,
  type LogOp,
  type LogQueryFilter,
  type LogReply,
  type LogRequest,
  type LogStats,
  type LogStatus,
} from './wire.js';

/**
 * Every outcome of a {@link LogClient} call: an LO status by name, a transport failure, a reply
 * that does not answer the request (`bad-reply`), or a request the client refused to encode
 * (`malformed`, never sent).
 */
export type LogOutcome = 'ok' | 'malformed' | 'unsupported' | 'too-large' | 'denied' | 'full' | 'bad-reply' | TransportFailure;

/** The result of {@link LogClient.append}. */
export type LogAppendResult =
  | { readonly status: 'ok'; readonly recordId: bigint; readonly dropped: bigint }
  | { readonly status: Exclude<LogOutcome, 'ok'> };

/**
 * The result of {@link LogClient.appendBlock}: the first `stored` records of the block are in
 * logd with the ids `firstId + i`; the others are not (`status` says why, `ok` only when all are).
 * Anything the client cannot trust (no reply, a bad one) is `stored: 0`.
 */
export interface LogBlockResult {
  readonly status: LogOutcome;
  readonly stored: number;
  readonly firstId: bigint;
  readonly dropped: bigint;
}

const NOTHING_STORED = { stored: 0, firstId: 0n, dropped: 0n } as const;

/** The result of {@link LogClient.query}: records are empty and `nextCursor` 0 unless `ok`. */
export interface LogQueryResult {
  readonly status: LogOutcome;
  readonly records: readonly Uint8Array[];
  readonly nextCursor: bigint;
}

/** The result of {@link LogClient.stats}. */
export type LogStatsResult = { readonly status: 'ok'; readonly stats: LogStats } | { readonly status: Exclude<LogOutcome, 'ok'> };

/** Options of a {@link LogClient}. */
export interface LogClientOptions {
  /** Passed to the transport on every call. Default 500. */
  readonly timeoutMs?: number;
}

/** A QUERY filter where everything but the journal has a default (open range, any, 64 records). */
export type LogQueryOptions = Pick<LogQueryFilter, 'journal'> & Partial<Omit<LogQueryFilter, 'journal'>>;

const NAME_OF: Readonly<Record<LogStatus, LogOutcome>> = {
  [LO_STATUS.OK]: 'ok',
  [LO_STATUS.MALFORMED]: 'malformed',
  [LO_STATUS.UNSUPPORTED]: 'unsupported',
  [LO_STATUS.TOO_LARGE]: 'too-large',
  [LO_STATUS.DENIED]: 'denied',
  [LO_STATUS.FULL]: 'full',
};

type Exchange = { readonly ok: true; readonly reply: LogReply } | { readonly ok: false; readonly status: Exclude<LogOutcome, 'ok'> };

/**
 * A fail-closed client of logd speaking LO v2 (u64 nonce from a per-client counter). Every method
 * resolves (never rejects); data comes back only from a well-formed OK reply matching the request.
 *
 * @example
 * const log = new LogClient(async (f, t) => (await task.call(logRoute, f, { timeoutMs: t })).frame);
 * const page = await log.query({ journal: LO_JOURNAL.AUDIT, decision: 1 });
 */
export class LogClient {
  readonly #transport: Transport;
  readonly #timeoutMs: number;
  #nonce = 0n;

  constructor(transport: Transport, options: LogClientOptions = {}) {
    this.#transport = transport;
    this.#timeoutMs = options.timeoutMs ?? 500;
  }

  /** One request and its decoded reply, whatever its status. */
  async #call(build: (nonce: bigint) => LogRequest & { readonly version: 2 }): Promise<Exchange> {
    this.#nonce = (this.#nonce + 1n) & U64_MAX;
    let request: LogRequest & { readonly version: 2 };
    let frame: Uint8Array;
    try {
      request = build(this.#nonce);
      frame = encodeLogRequest(request);
    } catch {
      return { ok: false, status: 'malformed' };
    }
    const out = await callTransport(this.#transport, frame, this.#timeoutMs);
    if (!out.ok) return { ok: false, status: out.failure };
    try {
      return { ok: true, reply: decodeLogReply(out.frame, { version: 2, op: request.op as LogOp, nonce: request.nonce }) };
    } catch {
      return { ok: false, status: 'bad-reply' };
    }
  }

  /** One request whose reply counts only when OK. */
  async #exchange(build: (nonce: bigint) => LogRequest & { readonly version: 2 }): Promise<Exchange> {
    const res = await this.#call(build);
    if (!res.ok || res.reply.status === LO_STATUS.OK) return res;
    return { ok: false, status: NAME_OF[res.reply.status] as Exclude<LogOutcome, 'ok'> };
  }

  /**
   * APPEND one record; logd stamps it with the kernel sender id. `fields` defaults to empty.
   *
   * @example
   * await log.append({ level: LO_LEVEL.INFO, scope: 'execd', msg: 'spawned' });
   */
  async append(entry: Omit<LogAppend, 'fields'> & { readonly fields?: Uint8Array }): Promise<LogAppendResult> {
    const res = await this.#exchange((nonce) => ({
      version: 2,
      op: LO_OP.APPEND,
      nonce,
      level: entry.level,
      scope: entry.scope,
      msg: entry.msg,
      fields: entry.fields ?? new Uint8Array(0),
    }));
    if (!res.ok) return { status: res.status };
    return res.reply.op === 1
      ? { status: 'ok', recordId: res.reply.recordId, dropped: res.reply.dropped }
      : { status: 'bad-reply' };
  }

  /**
   * APPEND_BLOCK: the audit writer's records (1..64, each 1..512 bytes), stored by logd in order in
   * one pass. A reply that claims more records than were sent, or an OK that is not the whole
   * block, is `bad-reply` with nothing stored.
   *
   * @example
   * const { stored, firstId } = await log.appendBlock(sealed.map((s) => s.encoded));
   */
  async appendBlock(records: readonly Uint8Array[]): Promise<LogBlockResult> {
    let count = 0;
    const res = await this.#call((nonce) => {
      const taken = [...records];
      count = taken.length;
      return { version: 2, op: LO_OP.APPEND_BLOCK, nonce, records: taken };
    });
    if (!res.ok) return { status: res.status, ...NOTHING_STORED };
    const reply = res.reply;
    if (reply.op !== 4 || reply.stored > count || (reply.status === LO_STATUS.OK) !== (reply.stored === count)) {
      return { status: 'bad-reply', ...NOTHING_STORED };
    }
    return { status: NAME_OF[reply.status], stored: reply.stored, firstId: reply.firstId, dropped: reply.dropped };
  }

  /**
   * QUERY one page of a journal (logd checks `log.read` / `audit.read` for the caller). Pass the
   * returned `nextCursor` as `cursor` to get the next page; 0 means there is no more.
   *
   * @example
   * const { status, records, nextCursor } = await log.query({ journal: LO_JOURNAL.GENERAL, maxCount: 16 });
   */
  async query(options: LogQueryOptions): Promise<LogQueryResult> {
    const filter: LogQueryFilter = {
      fromSeq: 0n,
      toSeq: 0n,
      subject: 0n,
      decision: LO_ANY,
      op: LO_ANY,
      cursor: 0n,
      maxCount: 64,
      ...options,
    };
    const res = await this.#exchange((nonce) => ({ version: 2, op: LO_OP.QUERY, nonce, filter }));
    if (!res.ok) return { status: res.status, records: [], nextCursor: 0n };
    return res.reply.op === 2
      ? { status: 'ok', records: res.reply.records, nextCursor: res.reply.nextCursor }
      : { status: 'bad-reply', records: [], nextCursor: 0n };
  }

  /**
   * STATS: per-journal counters and the count of forged appends logd refused.
   *
   * @example
   * const res = await log.stats(); if (res.status === 'ok') res.stats.audit.dropped;
   */
  async stats(): Promise<LogStatsResult> {
    const res = await this.#exchange((nonce) => ({ version: 2, op: LO_OP.STATS, nonce }));
    if (!res.ok) return { status: res.status };
    return res.reply.op === 3 ? { status: 'ok', stats: res.reply.stats } : { status: 'bad-reply' };
  }
}
