/** The two magic bytes `LO` that open every logd frame. */
export const LO_MAGIC: Uint8Array = Uint8Array.of(0x4c, 0x4f);

/** Longest APPEND scope, message and fields, in bytes. */
export const LO_MAX_SCOPE = 64;

/**
 * The scope of audit records in LO APPEND (the original's `policyd.audit`): logd accepts it only
 * from the audit writer's kernel identity, on its audit endpoint; the one definition policyd's
 * transport and logd's check share.
 *
 * @example
 * log.append({ level: LO_LEVEL.INFO, scope: LO_AUDIT_SCOPE, msg, fields: encoded });
 */
export const LO_AUDIT_SCOPE = 'policyd.audit';
/** Longest APPEND message, in bytes. */
export const LO_MAX_MSG = 256;
/** Longest APPEND fields, in bytes. */
export const LO_MAX_FIELDS = 512;

/** Largest LO request (a v2 APPEND at every bound); longer is `TOO_LARGE` before parsing. */
export const LO_MAX_FRAME: number = 4 + 8 + 6 + LO_MAX_SCOPE + LO_MAX_MSG + LO_MAX_FIELDS;

/**
 * Most audit records in one APPEND_BLOCK (the audit chain seals blocks of this many, so one sealed
 * block is one frame).
 */
export const LO_MAX_BLOCK_RECORDS = 64;

/**
 * Largest APPEND_BLOCK request (`LO_MAX_BLOCK_RECORDS` records of `LO_MAX_FIELDS` bytes): only
 * logd's audit endpoint takes frames this large; any other LO request over `LO_MAX_FRAME` is
 * `TOO_LARGE`.
 */
export const LO_MAX_BLOCK_FRAME: number = 4 + 8 + 2 + LO_MAX_BLOCK_RECORDS * (2 + LO_MAX_FIELDS);

/** Largest LO reply; a QUERY reply stops adding records before it. */
export const LO_MAX_REPLY = 4096;

/** LO protocol versions: 1 (no correlation), 2 (`nonce:u64` after the header, QUERY filters). */
export type LogVersion = 1 | 2;

/**
 * LO op codes.
 *
 * @example
 * LO_OP.QUERY; // 2
 */
export const LO_OP: { readonly APPEND: 1; readonly QUERY: 2; readonly STATS: 3; readonly APPEND_BLOCK: 4 } = Object.freeze({
  APPEND: 1,
  QUERY: 2,
  STATS: 3,
  /** v2 only: the audit writer's records, many per frame, stored in order in one pass. */
  APPEND_BLOCK: 4,
});

/**
 * LO reply status codes (DENIED is new: reader lacks the capability / writer not allowed; FULL is new:
 * an APPEND logd could not make durable).
 *
 * @example
 * reply.status === LO_STATUS.DENIED;
 */
export const LO_STATUS: {
  readonly OK: 0;
  readonly MALFORMED: 1;
  readonly UNSUPPORTED: 2;
  readonly TOO_LARGE: 3;
  readonly DENIED: 4;
  readonly FULL: 5;
} = Object.freeze({ OK: 0, MALFORMED: 1, UNSUPPORTED: 2, TOO_LARGE: 3, DENIED: 4, FULL: 5 });

/** One LO status code. */
export type LogStatus = (typeof LO_STATUS)[keyof typeof LO_STATUS];

/**
 * Log levels, most severe first.
 *
 * @example
 * LO_LEVEL.INFO; // 2
 */
export const LO_LEVEL: {
  readonly ERROR: 0;
  readonly WARN: 1;
  readonly INFO: 2;
  readonly DEBUG: 3;
  readonly TRACE: 4;
} = Object.freeze({ ERROR: 0, WARN: 1, INFO: 2, DEBUG: 3, TRACE: 4 });

/** One log level. */
export type LogLevel = (typeof LO_LEVEL)[keyof typeof LO_LEVEL];

/**
 * The journals of logd: the general one and the audit one (kept apart so chatty services cannot
 * evict audit records).
 *
 * @example
 * LO_JOURNAL.AUDIT; // 1
 */
export const LO_JOURNAL: { readonly GENERAL: 0; readonly AUDIT: 1 } = Object.freeze({ GENERAL: 0, AUDIT: 1 });

/** `decision` / `op` filter value meaning "any". */
export const LO_ANY = 0xff;

/** The body of an APPEND: `fields` are opaque bytes (policyd puts an encoded audit record there). */
export interface LogAppend {
  readonly level: LogLevel;
  readonly scope: string;
  readonly msg: string;
  readonly fields: Uint8Array;
}

/** The filters of a v2 QUERY. `toSeq`, `subject` and `cursor` 0 mean open / any / start. */
export interface LogQueryFilter {
  readonly journal: 0 | 1;
  readonly fromSeq: bigint;
  readonly toSeq: bigint;
  readonly subject: bigint;
  /** 0 allow, 1 deny, `LO_ANY`. */
  readonly decision: number;
  /** An audit op code, or `LO_ANY`. */
  readonly op: number;
  readonly cursor: bigint;
  /** 1..65535. */
  readonly maxCount: number;
}

/** Every LO request, discriminated by `op` then `version`. */
export type LogRequest =
  | ({ readonly version: 1; readonly op: 1 } & LogAppend)
  | ({ readonly version: 2; readonly op: 1; readonly nonce: bigint } & LogAppend)
  | { readonly version: 1; readonly op: 2; readonly sinceNsec: bigint; readonly maxCount: number }
  | { readonly version: 2; readonly op: 2; readonly nonce: bigint; readonly filter: LogQueryFilter }
  | { readonly version: 1; readonly op: 3 }
  | { readonly version: 2; readonly op: 3; readonly nonce: bigint }
  | { readonly version: 2; readonly op: 4; readonly nonce: bigint; readonly records: readonly Uint8Array[] };

/** Counters of one journal in a STATS reply. */
export interface LogJournalStats {
  readonly total: bigint;
  readonly dropped: bigint;
  readonly highWater: number;
  readonly count: number;
  readonly bytes: number;
}

/** The body of a STATS reply. */
export interface LogStats {
  readonly general: LogJournalStats;
  readonly audit: LogJournalStats;
  /** APPENDs refused for claiming a scope the sender may not write (e.g. `policyd.audit`). */
  readonly rejectedForged: bigint;
  /** General APPENDs suppressed by logd's per-sender rate limit. */
  readonly suppressed: bigint;
}

/** The header fields of an LO reply (nonce required on v2, absent on v1). */
export interface LogReplyHeader {
  readonly version: LogVersion;
  readonly nonce?: bigint;
}

/** The ops whose replies carry a body. */
export type LogOp = (typeof LO_OP)[keyof typeof LO_OP];

/**
 * A decoded LO reply, discriminated by `op`. Non-OK replies carry zeros, no records, zero stats.
 *
 * @example
 * if (reply.op === LO_OP.APPEND && reply.status === LO_STATUS.OK) reply.recordId;
 */
export type LogReply =
  | (LogReplyHeader & { readonly op: 1; readonly status: LogStatus; readonly recordId: bigint; readonly dropped: bigint })
  | (LogReplyHeader & {
      readonly op: 2;
      readonly status: LogStatus;
      readonly records: readonly Uint8Array[];
      readonly nextCursor: bigint;
    })
  | (LogReplyHeader & { readonly op: 3; readonly status: LogStatus; readonly stats: LogStats })
  | (LogReplyHeader & LogBlockReplyBody);

/**
 * The body of an APPEND_BLOCK reply. Records `[0, stored)` of the block are stored with the ids
 * `firstId + i`; the rest are not (a prefix: logd stops at the first record it cannot store, and
 * `status` says why). OK means the whole block was stored. `firstId` is 0 when `stored` is 0;
 * `dropped` is the journal's eviction counter, as in an APPEND reply.
 *
 * @example
 * const confirmed = reply.status === LO_STATUS.OK ? count : reply.stored;
 */
export interface LogBlockReplyBody {
  readonly op: 4;
  readonly status: LogStatus;
  readonly stored: number;
  readonly firstId: bigint;
  readonly dropped: bigint;
}

/**
 * What {@link encodeLogReply} takes: a {@link LogReply}, except that a QUERY reply offers
 * `entries` (with their cursors) and the encoder keeps as many as fit in `LO_MAX_REPLY`.
 * `nextCursor` (default 0 = end) is used only when every entry fits.
 */
export type LogReplyInput =
  | Exclude<LogReply, { readonly op: 2 }>
  | (LogReplyHeader & {
      readonly op: 2;
      readonly status: LogStatus;
      readonly entries: readonly LogQueryEntry[];
      readonly nextCursor?: bigint;
    });

/** One record offered to a QUERY reply, with the cursor that resumes a query at it (never 0). */
export interface LogQueryEntry {
  readonly cursor: bigint;
  readonly bytes: Uint8Array;
}

/** What a server gets from {@link decodeLogRequest}: a request, or the status and reply frame. */
export type LogDecodeResult =
  | { readonly ok: true; readonly request: LogRequest }
  | {
      readonly ok: false;
      readonly status: 1 | 2 | 3;
      readonly version?: number;
      readonly op?: number;
      readonly nonce?: bigint;
      readonly reply: Uint8Array;
    };

/** Zero counters, carried by a non-OK STATS reply. */
export const LO_ZERO_STATS: LogStats = Object.freeze({
  general: Object.freeze({ total: 0n, dropped: 0n, highWater: 0, count: 0, bytes: 0 }),
  audit: Object.freeze({ total: 0n, dropped: 0n, highWater: 0, count: 0, bytes: 0 }),
  rejectedForged: 0n,
  suppressed: 0n,
});

/**
 * Whether every counter of `s` is zero (the only stats a non-OK STATS reply may carry).
 *
 * @internal
 * @example
 * isZeroLogStats(LO_ZERO_STATS); // true
 */
export function isZeroLogStats(s: LogStats): boolean {
  const zero = (j: LogJournalStats): boolean =>
    j.total === 0n && j.dropped === 0n && j.highWater === 0 && j.count === 0 && j.bytes === 0;
  return zero(s.general) && zero(s.audit) && s.rejectedForged === 0n && s.suppressed === 0n;
}
