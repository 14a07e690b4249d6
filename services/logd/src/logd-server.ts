import type { Incoming } from '@nexus/ipc';
import {
  LO_ANY,
  LO_AUDIT_SCOPE,
  LO_JOURNAL,
  LO_LEVEL,
  LO_OP,
  LO_STATUS,
  LO_ZERO_STATS,
  type LogAppend,
  type LogBlockReplyBody,
  type LogQueryEntry,
  type LogQueryFilter,
  type LogRequest,
  type LogStats,
  type LogStatus,
  type PolicyClient,
  decodeLogRequest,
  encodeLogReply,
} from '@nexus/proto';
import type { AuditBoot } from './audit-boots.js';
import { claimsIdentity } from './claims-identity.js';
import type { DiskJournal, DurableAppend, SegmentSkip } from './disk-journal.js';
import { Journal, type JournalEntry, type JournalStats } from './journal.js';
import { auditItemOf, encodeGeneral, type AuditItem, type GeneralItem } from './journal-items.js';
import type { ResolvedLogdOptions } from './logd-options.js';
import type { JournalRecovery } from './recover-journal.js';
import { selectEntries, type SelectedPage } from './select-entries.js';
import { SenderRateLimit } from './sender-rate-limit.js';

/**
 * Which of logd's two endpoints a message came in on: `audit` is held by policyd alone and takes
 * only its audit APPENDs; `general` takes everything else, rate-limited per sender.
 */
export type LogdEndpointKind = 'audit' | 'general';

/** Scope of the records logd writes itself (suppression notices). */
export const LOGD_SCOPE = 'logd';

/**
 * The durable journals of a logd started with a `stateDir`, and what their recovery found.
 *
 * @example
 * const storage: LogdStorage = openStorage(resolved.storage);
 */
export interface LogdStorage {
  readonly audit: DiskJournal<AuditItem>;
  readonly general: DiskJournal<GeneralItem>;
  readonly recovery: LogdRecovery;
  /** The boots found in the audit journal (recovered, then as records are stored). */
  boots(): { readonly boots: readonly AuditBoot[]; readonly forgotten: number };
}

/**
 * What logd found on disk when it started: per journal, records, segments, the torn tail it
 * truncated and every corruption (segment + offset).
 *
 * @example
 * const { audit, general }: LogdRecovery = handle.stats().storage!.recovery;
 */
export interface LogdRecovery {
  readonly audit: JournalRecovery;
  readonly general: JournalRecovery;
}

/**
 * The storage counters of a durable logd (absent in memory mode).
 *
 * @example
 * const { refusedFull, syncs }: LogdStorageStats = handle.stats().storage!;
 */
export interface LogdStorageStats {
  readonly recovery: LogdRecovery;
  readonly boots: readonly AuditBoot[];
  /** Audit APPENDs answered FULL (quota with `deny`, or nothing sealed to delete). */
  readonly refusedFull: bigint;
  /** APPENDs answered FULL because the disk refused the write or sync. */
  readonly writeErrors: bigint;
  /** `fdatasync` calls (audit + general). */
  readonly syncs: number;
  /** Segments deleted by `rotate-sealed` (audit) and by the general journal's quota. */
  readonly deletedAuditSegments: number;
  readonly deletedGeneralSegments: number;
  readonly auditBytes: number;
  readonly generalBytes: number;
}

/**
 * Everything logd counts: the STATS body plus counters only the boot harness sees through the
 * handle (the LO STATS layout carries `rejectedForged` and `suppressed` but not these).
 *
 * @example
 * const { audit, rejectedForged, auditMalformed }: LogdStats = handle.stats();
 */
export interface LogdStats extends LogStats {
  /** Audit APPENDs from the writer whose `fields` were not a valid audit record. */
  readonly auditMalformed: bigint;
  /** Audit records stored although their seq was not above the previous one (replay, restart). */
  readonly auditSeqRegressions: bigint;
  /** QUERYs and STATS denied because policyd said no, or could not be asked. */
  readonly queriesDenied: bigint;
  /** Messages refused for arriving on the wrong endpoint (an audit APPEND on the general one, anything else on the audit one). */
  readonly wrongEndpoint: bigint;
  /** With a `stateDir`: recovery and disk counters. */
  readonly storage?: LogdStorageStats;
}

/** An APPEND reply without its header. */
interface AppendBody {
  readonly op: 1;
  readonly status: LogStatus;
  readonly recordId: bigint;
  readonly dropped: bigint;
}

/** An APPEND_BLOCK reply without its header. */
type BlockBody = LogBlockReplyBody;

/** A QUERY reply without its header. */
interface QueryBody {
  readonly op: 2;
  readonly status: LogStatus;
  readonly entries: readonly LogQueryEntry[];
  readonly nextCursor?: bigint;
}

type Header = { readonly version: 1 } | { readonly version: 2; readonly nonce: bigint };

/**
 * The capability each journal's readers need, decided by policyd.
 *
 * @example
 * LOGD_READ_CAPS[LO_JOURNAL.AUDIT]; // 'audit.read'
 */
export const LOGD_READ_CAPS: { readonly [LO_JOURNAL.GENERAL]: string; readonly [LO_JOURNAL.AUDIT]: string } = Object.freeze({
  [LO_JOURNAL.GENERAL]: 'log.read',
  [LO_JOURNAL.AUDIT]: 'audit.read',
});
const READ_CAP = LOGD_READ_CAPS;
/** STATS is asked of policyd like a general QUERY. */
const STATS_CAP = READ_CAP[LO_JOURNAL.GENERAL];

/**
 * The LO protocol engine of logd: two bounded journals, the append rules (the record's service id
 * is the kernel sender; only the audit writer appends audit records; identity claims are refused)
 * and the read gate (policyd decides `log.read` / `audit.read`). `handle` never throws and always
 * answers with a well-formed LO reply.
 *
 * @example
 * const server = new LogdServer(resolveLogdOptions({ auditWriter }), () => policyClient);
 * task.serve(recv, (msg) => server.handle(msg));
 */
export class LogdServer {
  readonly #options: ResolvedLogdOptions;
  readonly #policy: () => PolicyClient | undefined;
  readonly #audit: Journal<AuditItem> | undefined;
  readonly #general: Journal<GeneralItem> | undefined;
  readonly #storage: LogdStorage | undefined;
  #lastAuditSeq: bigint | undefined;
  #rejectedForged = 0n;
  #auditMalformed = 0n;
  #auditSeqRegressions = 0n;
  #queriesDenied = 0n;
  #wrongEndpoint = 0n;
  readonly #rate: SenderRateLimit;
  readonly #selfId: bigint;

  constructor(options: ResolvedLogdOptions, policy: () => PolicyClient | undefined, selfId = 0n, storage?: LogdStorage) {
    this.#options = options;
    this.#storage = storage;
    this.#policy = policy;
    this.#selfId = selfId;
    this.#rate = new SenderRateLimit(
      { burst: options.generalBurst, intervalNs: BigInt(options.rateIntervalMs) * 1_000_000n, maxSenders: 1024 },
      options.realNowMs,
    );
    // With storage the rings are the disk journals' read caches; without, they are the journals.
    this.#audit = storage === undefined ? new Journal(options.audit) : undefined;
    this.#general = storage === undefined ? new Journal(options.general) : undefined;
    this.#storage = storage;
  }

  /**
   * Answers one LO message that came in on `endpoint`. Undecodable frames get the decoder's
   * ready-made reply.
   *
   * @example
   * const reply = await server.handle(msg, 'general');
   */
  async handle(msg: Incoming, endpoint: LogdEndpointKind = 'general'): Promise<Uint8Array> {
    const decoded = decodeLogRequest(msg.frame);
    if (!decoded.ok) return decoded.reply;
    const req = decoded.request;
    const header: Header = req.version === 1 ? { version: 1 } : { version: 2, nonce: req.nonce };
    const writer = msg.senderServiceId === this.#options.auditWriter;
    const audit = writer && (req.op === LO_OP.APPEND_BLOCK || (req.op === LO_OP.APPEND && req.scope === LO_AUDIT_SCOPE));
    if (audit !== (endpoint === 'audit')) {
      // Audit evidence only on the endpoint general traffic cannot reach, and nothing else there.
      this.#wrongEndpoint += 1n;
      return encodeLogReply({ ...header, ...this.#denied(req.op) });
    }
    if (req.op === LO_OP.APPEND) {
      const body = this.#append(msg, req);
      return encodeLogReply({ ...header, ...(body instanceof Promise ? await body : body) });
    }
    if (req.op === LO_OP.APPEND_BLOCK) {
      // A block is audit evidence: from anyone but the writer it is a forgery attempt.
      if (!writer) {
        this.#rejectedForged += 1n;
        return encodeLogReply({ ...header, ...this.#denied(req.op) });
      }
      const body = this.#appendBlock(req.records);
      return encodeLogReply({ ...header, ...(body instanceof Promise ? await body : body) });
    }
    if (req.op === LO_OP.STATS) {
      // The counters tell loss and forgery attempts apart: a reader of the general journal may see them.
      if (!(await this.#mayRead(msg.senderServiceId, STATS_CAP))) {
        this.#queriesDenied += 1n;
        return encodeLogReply({ ...header, op: LO_OP.STATS, status: LO_STATUS.DENIED, stats: LO_ZERO_STATS });
      }
      return encodeLogReply({ ...header, op: LO_OP.STATS, status: LO_STATUS.OK, stats: this.#wireStats() });
    }
    return encodeLogReply({ ...header, ...(await this.#query(msg.senderServiceId, req)) });
  }

  /** The audit record in `bytes`, or `undefined` (counted) when it is not one. */
  #auditItem(bytes: Uint8Array): AuditItem | undefined {
    let item: AuditItem;
    try {
      item = auditItemOf(bytes);
    } catch {
      this.#auditMalformed += 1n;
      return undefined;
    }
    if (this.#lastAuditSeq !== undefined && item.seq <= this.#lastAuditSeq) this.#auditSeqRegressions += 1n;
    this.#lastAuditSeq = item.seq;
    return item;
  }

  /**
   * Stores a block of audit records in order, in one pass, up to the first one that is not a valid
   * record (MALFORMED) or does not fit (FULL): the reply names the stored prefix.
   */
  #appendBlock(records: readonly Uint8Array[]): BlockBody | Promise<BlockBody> {
    const items: AuditItem[] = [];
    for (const bytes of records) {
      const item = this.#auditItem(bytes);
      if (item === undefined) break;
      items.push(item);
    }
    const cut = items.length < records.length ? LO_STATUS.MALFORMED : LO_STATUS.OK;
    if (this.#storage !== undefined) {
      const disk = this.#storage.audit;
      return disk.appendBlock(items).then((r) => blockBody(r.entries, r.failure === undefined ? cut : LO_STATUS.FULL, disk.stats().dropped));
    }
    const audit = this.#audit as Journal<AuditItem>;
    const entries = items.map((item) => audit.append(item, item.bytes.byteLength));
    return blockBody(entries, cut, audit.stats().dropped);
  }

  #append(msg: Incoming, req: LogAppend): AppendBody | Promise<AppendBody> {
    const sender = msg.senderServiceId;
    if (req.scope === LO_AUDIT_SCOPE && sender === this.#options.auditWriter) {
      const item = this.#auditItem(req.fields);
      if (item === undefined) return fail(LO_STATUS.MALFORMED);
      if (this.#storage !== undefined) {
        const disk = this.#storage.audit;
        return disk.append(item).then((r) => durableBody(r, disk.stats().dropped));
      }
      const audit = this.#audit as Journal<AuditItem>;
      const entry = audit.append(item, item.bytes.byteLength);
      return { op: 1, status: LO_STATUS.OK, recordId: entry.id, dropped: audit.stats().dropped };
    }
    const verdict = this.#rate.admit(sender, msg.receivedAtNs);
    if (verdict.announce > 0n) this.#announce(sender, verdict.announce, msg.receivedAtNs);
    if (!verdict.admit) return fail(LO_STATUS.DENIED);
    if (claimsIdentity(req.scope, req.msg, req.fields)) {
      this.#rejectedForged += 1n;
      return fail(LO_STATUS.DENIED);
    }
    const item: GeneralItem = { level: req.level, scope: req.scope, msg: req.msg, fields: req.fields, timestampNs: msg.receivedAtNs, serviceId: sender };
    if (this.#storage !== undefined) {
      const disk = this.#storage.general;
      return disk.append(item).then((r) => durableBody(r, disk.stats().dropped));
    }
    const general = this.#general as Journal<GeneralItem>;
    const entry = general.append(item, encodeGeneral(0n, item).byteLength);
    return { op: 1, status: LO_STATUS.OK, recordId: entry.id, dropped: general.stats().dropped };
  }

  #denied(op: 1 | 2 | 3 | 4): AppendBody | QueryBody | BlockBody | { readonly op: 3; readonly status: LogStatus; readonly stats: LogStats } {
    if (op === LO_OP.APPEND) return { op: 1, status: LO_STATUS.DENIED, recordId: 0n, dropped: 0n };
    if (op === LO_OP.APPEND_BLOCK) return { op: 4, status: LO_STATUS.DENIED, stored: 0, firstId: 0n, dropped: 0n };
    if (op === LO_OP.QUERY) return { op: 2, status: LO_STATUS.DENIED, entries: [] };
    return { op: 3, status: LO_STATUS.DENIED, stats: LO_ZERO_STATS };
  }

  /** journald's notice, in the general journal under logd's own id: the sender is its kernel id. */
  #announce(sender: bigint, count: bigint, timestampNs: bigint): void {
    const item: GeneralItem = {
      level: LO_LEVEL.WARN,
      scope: LOGD_SCOPE,
      msg: `suppressed ${count} messages from ${sender.toString(16).padStart(16, '0')}`,
      fields: new Uint8Array(0),
      timestampNs,
      serviceId: this.#selfId,
    };
    // Nobody waits for the notice: on disk it is stored with the next batch.
    if (this.#storage !== undefined) void this.#storage.general.append(item);
    else this.#general?.append(item, encodeGeneral(0n, item).byteLength);
  }

  async #query(sender: bigint, req: LogRequest & { op: 2 }): Promise<QueryBody> {
    const filter: LogQueryFilter =
      req.version === 2
        ? req.filter
        : { journal: LO_JOURNAL.GENERAL, fromSeq: 0n, toSeq: 0n, subject: 0n, decision: LO_ANY, op: LO_ANY, cursor: 0n, maxCount: req.maxCount };
    const sinceNsec = req.version === 1 ? req.sinceNsec : 0n;
    if (filter.journal === LO_JOURNAL.GENERAL && (filter.decision !== LO_ANY || filter.op !== LO_ANY)) {
      // General records have no decision or op: a filter on them can only be a mistake.
      return { op: 2, status: LO_STATUS.MALFORMED, entries: [] };
    }
    if (!(await this.#mayRead(sender, READ_CAP[filter.journal]))) {
      this.#queriesDenied += 1n;
      return { op: 2, status: LO_STATUS.DENIED, entries: [] };
    }
    const page = filter.journal === LO_JOURNAL.AUDIT ? await this.#selectAudit(filter) : await this.#selectGeneral(filter, sinceNsec);
    return { op: 2, status: LO_STATUS.OK, entries: page.entries, nextCursor: page.nextCursor };
  }

  async #mayRead(sender: bigint, cap: string): Promise<boolean> {
    const policy = this.#policy();
    if (policy === undefined) return false;
    return (await policy.checkCapDelegated(sender, cap)).allow;
  }

  #selectAudit(f: LogQueryFilter): Promise<SelectedPage> {
    // A segment whose every boot's highest seq is below `fromSeq` cannot hold a match.
    const skip: SegmentSkip = (s) => f.fromSeq > 0n && s.seqByBoot.size > 0 && [...s.seqByBoot.values()].every((seq) => seq < f.fromSeq);
    const disk = this.#storage?.audit;
    const scan = disk === undefined ? scanOf(this.#audit as Journal<AuditItem>) : (after: bigint, visit: (e: JournalEntry<AuditItem>) => boolean) => disk.scan(after, visit, skip);
    // Seqs restart with every boot, so a seq range names the newest boot's chain; older boots are
    // read by cursor with no seq range.
    const boots = f.fromSeq > 0n || f.toSeq > 0n ? this.#storage?.boots().boots : undefined;
    const bootStart = boots?.[boots.length - 1]?.firstId ?? 0n;
    return selectEntries(
      scan,
      f.cursor > bootStart ? f.cursor : bootStart,
      f.maxCount,
      ({ item }) =>
        item.seq >= f.fromSeq &&
        (f.toSeq === 0n || item.seq <= f.toSeq) &&
        (f.subject === 0n || item.subjectId === f.subject) &&
        (f.decision === LO_ANY || item.decision === f.decision) &&
        (f.op === LO_ANY || item.op === f.op),
      ({ item }) => item.bytes,
    );
  }

  #selectGeneral(f: LogQueryFilter, sinceNsec: bigint): Promise<SelectedPage> {
    const skip: SegmentSkip = (s) => s.count > 0 && s.maxTs < sinceNsec;
    const disk = this.#storage?.general;
    const scan =
      disk === undefined ? scanOf(this.#general as Journal<GeneralItem>) : (after: bigint, visit: (e: JournalEntry<GeneralItem>) => boolean) => disk.scan(after, visit, skip);
    return selectEntries(
      scan,
      f.cursor,
      f.maxCount,
      ({ id, item }) =>
        id >= f.fromSeq &&
        (f.toSeq === 0n || id <= f.toSeq) &&
        (f.subject === 0n || item.serviceId === f.subject) &&
        item.timestampNs >= sinceNsec,
      ({ id, item }: JournalEntry<GeneralItem>) => encodeGeneral(id, item),
    );
  }

  #journalStats(): { general: JournalStats; audit: JournalStats } {
    const s = this.#storage;
    if (s !== undefined) return { general: s.general.stats(), audit: s.audit.stats() };
    return { general: (this.#general as Journal<GeneralItem>).stats(), audit: (this.#audit as Journal<AuditItem>).stats() };
  }

  #wireStats(): LogStats {
    return { ...this.#journalStats(), rejectedForged: this.#rejectedForged, suppressed: this.#rate.suppressed };
  }

  #storageStats(): LogdStorageStats | undefined {
    const s = this.#storage;
    if (s === undefined) return undefined;
    return Object.freeze({
      recovery: s.recovery,
      boots: s.boots().boots,
      refusedFull: s.audit.refusedFull + s.general.refusedFull,
      writeErrors: s.audit.writeErrors + s.general.writeErrors,
      syncs: s.audit.syncs + s.general.syncs,
      deletedAuditSegments: s.audit.deletedSegments,
      deletedGeneralSegments: s.general.deletedSegments,
      auditBytes: s.audit.bytes,
      generalBytes: s.general.bytes,
    });
  }

  /**
   * A snapshot of every counter.
   *
   * @example
   * server.stats().audit.count;
   */
  stats(): LogdStats {
    return Object.freeze({
      ...this.#wireStats(),
      auditMalformed: this.#auditMalformed,
      auditSeqRegressions: this.#auditSeqRegressions,
      queriesDenied: this.#queriesDenied,
      wrongEndpoint: this.#wrongEndpoint,
      ...(this.#storage === undefined ? {} : { storage: this.#storageStats() }),
    });
  }

  /**
   * Starts the seq-regression check from the last audit seq found on disk.
   *
   * @example
   * server.resumeAuditSeq(1234n);
   */
  resumeAuditSeq(seq: bigint | undefined): void {
    this.#lastAuditSeq = seq;
  }
}

const fail = (status: LogStatus): AppendBody => ({ op: 1, status, recordId: 0n, dropped: 0n });

/** An APPEND is OK only once its record is on disk; anything else is FULL, the distinct status. */
function durableBody<T>(r: DurableAppend<T>, dropped: bigint): AppendBody {
  return r.ok ? { op: 1, status: LO_STATUS.OK, recordId: r.entry.id, dropped } : fail(LO_STATUS.FULL);
}

/**
 * The reply for a block whose prefix `entries` was stored (`status` why the rest was not): the
 * ids must run on from the first, since the reply carries only the first.
 */
function blockBody(entries: readonly JournalEntry<AuditItem>[], status: LogStatus, dropped: bigint): BlockBody {
  const first = entries[0];
  if (first === undefined) return { op: 4, status: status === LO_STATUS.OK ? LO_STATUS.FULL : status, stored: 0, firstId: 0n, dropped: 0n };
  let stored = 1;
  while (stored < entries.length && entries[stored]?.id === first.id + BigInt(stored)) stored++;
  const whole = stored === entries.length ? status : LO_STATUS.FULL;
  return { op: 4, status: whole, stored, firstId: first.id, dropped };
}

function scanOf<T>(journal: Journal<T>): (afterId: bigint, visit: (entry: JournalEntry<T>) => boolean) => void {
  return (afterId, visit) => journal.scan(afterId, visit);
}
