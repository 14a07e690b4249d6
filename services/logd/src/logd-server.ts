import { AUDIT_LIMITS, decodeRecord } from '@nexus/audit';
import type { Incoming } from '@nexus/ipc';
import {
  LO_ANY,
  LO_JOURNAL,
  LO_LEVEL,
  LO_OP,
  LO_STATUS,
  LO_ZERO_STATS,
  type LogAppend,
  type LogQueryEntry,
  type LogQueryFilter,
  type LogRequest,
  type LogStats,
  type LogStatus,
  type PolicyClient,
  decodeLogRequest,
  encodeLogRecord,
  encodeLogReply,
} from '@nexus/proto';
import { AUDIT_SCOPE, claimsIdentity } from './claims-identity.js';
import { Journal, type JournalEntry } from './journal.js';
import type { ResolvedLogdOptions } from './logd-options.js';
import { selectEntries, type SelectedPage } from './select-entries.js';
import { SenderRateLimit } from './sender-rate-limit.js';

/**
 * Which of logd's two endpoints a message came in on: `audit` is held by policyd alone and takes
 * only its audit APPENDs; `general` takes everything else, rate-limited per sender.
 */
export type LogdEndpointKind = 'audit' | 'general';

/** Scope of the records logd writes itself (suppression notices). */
export const LOGD_SCOPE = 'logd';

/** A stored audit record: its binary encoding as appended, plus the keys QUERY filters on. */
interface AuditItem {
  readonly bytes: Uint8Array;
  readonly seq: bigint;
  readonly subjectId: bigint;
  readonly decision: number;
  readonly op: number;
}

/** A stored general record (its id is the journal entry's id). */
interface GeneralItem extends LogAppend {
  readonly timestampNs: bigint;
  readonly serviceId: bigint;
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
}

/** An APPEND reply without its header. */
interface AppendBody {
  readonly op: 1;
  readonly status: LogStatus;
  readonly recordId: bigint;
  readonly dropped: bigint;
}

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
  readonly #audit: Journal<AuditItem>;
  readonly #general: Journal<GeneralItem>;
  #rejectedForged = 0n;
  #auditMalformed = 0n;
  #auditSeqRegressions = 0n;
  #queriesDenied = 0n;
  #wrongEndpoint = 0n;
  readonly #rate: SenderRateLimit;
  readonly #selfId: bigint;

  constructor(options: ResolvedLogdOptions, policy: () => PolicyClient | undefined, selfId = 0n) {
    this.#options = options;
    this.#policy = policy;
    this.#selfId = selfId;
    this.#rate = new SenderRateLimit(
      { burst: options.generalBurst, intervalNs: BigInt(options.rateIntervalMs) * 1_000_000n, maxSenders: 1024 },
      options.realNowMs,
    );
    this.#audit = new Journal(options.audit);
    this.#general = new Journal(options.general);
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
    const audit = req.op === LO_OP.APPEND && req.scope === AUDIT_SCOPE && msg.senderServiceId === this.#options.auditWriter;
    if (audit !== (endpoint === 'audit')) {
      // Audit evidence only on the endpoint general traffic cannot reach, and nothing else there.
      this.#wrongEndpoint += 1n;
      return encodeLogReply({ ...header, ...this.#denied(req.op) });
    }
    if (req.op === LO_OP.APPEND) return encodeLogReply({ ...header, ...this.#append(msg, req) });
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

  #append(msg: Incoming, req: LogAppend): AppendBody {
    const fail = (status: LogStatus): AppendBody => ({ op: 1, status, recordId: 0n, dropped: 0n });
    const sender = msg.senderServiceId;
    if (req.scope === AUDIT_SCOPE && sender === this.#options.auditWriter) {
      let item: AuditItem;
      try {
        const record = decodeRecord(req.fields);
        item = {
          bytes: req.fields,
          seq: record.seq,
          subjectId: record.subjectId,
          decision: record.decision === 'allow' ? 0 : 1,
          op: AUDIT_LIMITS.ops.indexOf(record.op),
        };
      } catch {
        this.#auditMalformed += 1n;
        return fail(LO_STATUS.MALFORMED);
      }
      const last = this.#audit.last();
      if (last !== undefined && item.seq <= last.item.seq) this.#auditSeqRegressions += 1n;
      const entry = this.#audit.append(item, item.bytes.byteLength);
      return { op: 1, status: LO_STATUS.OK, recordId: entry.id, dropped: this.#audit.stats().dropped };
    }
    const verdict = this.#rate.admit(sender, msg.receivedAtNs);
    if (verdict.announce > 0n) this.#announce(sender, verdict.announce, msg.receivedAtNs);
    if (!verdict.admit) return fail(LO_STATUS.DENIED);
    if (claimsIdentity(req.scope, req.msg, req.fields)) {
      this.#rejectedForged += 1n;
      return fail(LO_STATUS.DENIED);
    }
    const item: GeneralItem = { ...req, timestampNs: msg.receivedAtNs, serviceId: sender };
    const entry = this.#general.append(item, this.#encodeGeneral(0n, item).byteLength);
    return { op: 1, status: LO_STATUS.OK, recordId: entry.id, dropped: this.#general.stats().dropped };
  }

  #denied(op: 1 | 2 | 3): AppendBody | QueryBody | { readonly op: 3; readonly status: LogStatus; readonly stats: LogStats } {
    if (op === LO_OP.APPEND) return { op: 1, status: LO_STATUS.DENIED, recordId: 0n, dropped: 0n };
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
    this.#general.append(item, this.#encodeGeneral(0n, item).byteLength);
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
    const page = filter.journal === LO_JOURNAL.AUDIT ? this.#selectAudit(filter) : this.#selectGeneral(filter, sinceNsec);
    return { op: 2, status: LO_STATUS.OK, entries: page.entries, nextCursor: page.nextCursor };
  }

  async #mayRead(sender: bigint, cap: string): Promise<boolean> {
    const policy = this.#policy();
    if (policy === undefined) return false;
    return (await policy.checkCapDelegated(sender, cap)).allow;
  }

  #selectAudit(f: LogQueryFilter): SelectedPage {
    return selectEntries(
      this.#audit,
      f.cursor,
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

  #selectGeneral(f: LogQueryFilter, sinceNsec: bigint): SelectedPage {
    return selectEntries(
      this.#general,
      f.cursor,
      f.maxCount,
      ({ id, item }) =>
        id >= f.fromSeq &&
        (f.toSeq === 0n || id <= f.toSeq) &&
        (f.subject === 0n || item.serviceId === f.subject) &&
        item.timestampNs >= sinceNsec,
      ({ id, item }: JournalEntry<GeneralItem>) => this.#encodeGeneral(id, item),
    );
  }

  #encodeGeneral(recordId: bigint, item: GeneralItem): Uint8Array {
    return encodeLogRecord({
      recordId,
      timestampNs: item.timestampNs,
      serviceId: item.serviceId,
      level: item.level,
      scope: item.scope,
      msg: item.msg,
      fields: item.fields,
    });
  }

  #wireStats(): LogStats {
    return { general: this.#general.stats(), audit: this.#audit.stats(), rejectedForged: this.#rejectedForged, suppressed: this.#rate.suppressed };
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
    });
  }
}
