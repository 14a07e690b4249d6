import { U64_MAX } from '@nexus/ipc';
import { LO_MAX_RECORD } from '@nexus/proto';
import type { JournalBounds } from './journal.js';
import { LogdError } from './logd-error.js';

/**
 * Boot configuration of logd. `auditWriter` is the kernel id allowed to append to the audit
 * journal (the harness passes policyd's id): wiring, not a policy rule.
 *
 * @example
 * const options: LogdOptions = { auditWriter: policyd.serviceId, general: { maxRecords: 256 } };
 */
export interface LogdOptions {
  readonly auditWriter: bigint;
  /** Audit journal bounds; default 4096 records / 2 MiB. */
  readonly audit?: Partial<JournalBounds>;
  /** General journal bounds; default 1024 records / 512 KiB. */
  readonly general?: Partial<JournalBounds>;
  /** How long a QUERY waits for policyd's answer before it is DENIED; default 200 ms. */
  readonly policyTimeoutMs?: number;
  /** Messages that may wait at logd's endpoint; default 64. */
  readonly queueDepth?: number;
  /** Messages that may wait at logd's audit endpoint (policyd's only); default 64. */
  readonly auditQueueDepth?: number;
  /** General APPENDs one sender may make per `rateIntervalMs`; the rest are suppressed and announced. Default 256. */
  readonly generalBurst?: number;
  /** The rate-limit interval, ms of real time or of the kernel clock, whichever passes first. Default 1000. */
  readonly rateIntervalMs?: number;
  /** Real elapsed ms (default `performance.now`); tests inject it instead of sleeping. */
  readonly realNowMs?: () => number;
  /** Where logd prints its one start line (no record content ever goes there). */
  readonly console?: (line: string) => void;
  /**
   * Keep both journals on disk under this folder (`audit/` and `general/`, RFC-0015 §5.6.8): an
   * APPEND is acknowledged only once its record is synced. Without it the journals are memory
   * rings, as before.
   */
  readonly stateDir?: string;
  /** What a full audit journal does: `deny` (default: APPENDs answered FULL) or `rotate-sealed`. */
  readonly fullAction?: 'deny' | 'rotate-sealed';
  /** Bytes the audit journal may hold on disk; default 64 MiB. */
  readonly auditQuotaBytes?: number;
  /** Bytes the general journal may hold on disk (oldest segments deleted beyond it); default 16 MiB. */
  readonly generalQuotaBytes?: number;
  /** Size at which a segment file is closed and a new one started; default 1 MiB. */
  readonly segmentBytes?: number;
}

/**
 * The storage part of {@link ResolvedLogdOptions}, present only with a `stateDir`.
 *
 * @example
 * const storage: ResolvedStorage = { stateDir: dir, fullAction: 'deny', auditQuotaBytes: 64 << 20, generalQuotaBytes: 16 << 20, segmentBytes: 1 << 20 };
 */
export interface ResolvedStorage {
  readonly stateDir: string;
  readonly fullAction: 'deny' | 'rotate-sealed';
  readonly auditQuotaBytes: number;
  readonly generalQuotaBytes: number;
  readonly segmentBytes: number;
}

/**
 * {@link LogdOptions} with every default applied and every bound checked.
 *
 * @example
 * const resolved: ResolvedLogdOptions = resolveLogdOptions({ auditWriter: 1n });
 */
export interface ResolvedLogdOptions {
  readonly auditWriter: bigint;
  readonly audit: JournalBounds;
  readonly general: JournalBounds;
  readonly policyTimeoutMs: number;
  readonly queueDepth: number;
  readonly auditQueueDepth: number;
  readonly generalBurst: number;
  readonly rateIntervalMs: number;
  readonly realNowMs: () => number;
  readonly console: ((line: string) => void) | undefined;
  readonly storage: ResolvedStorage | undefined;
}

/** The limits the options are checked against. */
export const LOGD_LIMITS: {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly maxPolicyTimeoutMs: number;
  readonly maxQueueDepth: number;
  readonly maxBurst: number;
  readonly maxRateIntervalMs: number;
  /** Smallest segment: a header and one frame at its largest. */
  readonly minSegmentBytes: number;
  readonly maxSegmentBytes: number;
  readonly maxQuotaBytes: number;
} = Object.freeze({
  maxRecords: 65_536, maxBytes: 64 * 1024 * 1024, maxPolicyTimeoutMs: 10_000, maxQueueDepth: 1024, maxBurst: 65_536, maxRateIntervalMs: 60_000,
  minSegmentBytes: 8192, maxSegmentBytes: 256 * 1024 * 1024, maxQuotaBytes: 2 ** 40,
});

const KNOWN = [
  'auditWriter', 'audit', 'general', 'policyTimeoutMs', 'queueDepth', 'auditQueueDepth', 'generalBurst', 'rateIntervalMs', 'realNowMs', 'console',
  'stateDir', 'fullAction', 'auditQuotaBytes', 'generalQuotaBytes', 'segmentBytes',
];

function storage(options: LogdOptions): ResolvedStorage | undefined {
  const { stateDir, fullAction, auditQuotaBytes, generalQuotaBytes, segmentBytes } = options;
  if (stateDir === undefined) {
    if (fullAction !== undefined || auditQuotaBytes !== undefined || generalQuotaBytes !== undefined || segmentBytes !== undefined) {
      throw new LogdError('BAD_VALUE', 'fullAction, quotas and segmentBytes need a stateDir');
    }
    return undefined;
  }
  if (typeof stateDir !== 'string' || stateDir.length === 0 || stateDir.length > 4096 || stateDir.includes('\0')) {
    throw new LogdError('BAD_VALUE', 'stateDir must be a non-empty path');
  }
  if (fullAction !== undefined && fullAction !== 'deny' && fullAction !== 'rotate-sealed') {
    throw new LogdError('BAD_VALUE', "fullAction must be 'deny' or 'rotate-sealed'");
  }
  const seg = int(segmentBytes, 1024 * 1024, LOGD_LIMITS.minSegmentBytes, LOGD_LIMITS.maxSegmentBytes, 'segmentBytes');
  // Two segments at least: the active one is never deleted, so rotation needs a closed one.
  const quota = (v: number | undefined, fallback: number, what: string): number => int(v, Math.max(fallback, 2 * seg), 2 * seg, LOGD_LIMITS.maxQuotaBytes, what);
  return Object.freeze({
    stateDir,
    fullAction: fullAction ?? 'deny',
    auditQuotaBytes: quota(auditQuotaBytes, 64 * 1024 * 1024, 'auditQuotaBytes'),
    generalQuotaBytes: quota(generalQuotaBytes, 16 * 1024 * 1024, 'generalQuotaBytes'),
    segmentBytes: seg,
  });
}

function int(value: unknown, fallback: number, min: number, max: number, what: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new LogdError('BAD_VALUE', `${what} must be an integer in ${min}..${max}`);
  }
  return v;
}

function bounds(value: Partial<JournalBounds> | undefined, fallback: JournalBounds, what: string): JournalBounds {
  const b = value ?? {};
  return Object.freeze({
    maxRecords: int(b.maxRecords, fallback.maxRecords, 1, LOGD_LIMITS.maxRecords, `${what}.maxRecords`),
    // One record at its largest must always fit, or an append could find nothing left to evict.
    maxBytes: int(b.maxBytes, fallback.maxBytes, LO_MAX_RECORD, LOGD_LIMITS.maxBytes, `${what}.maxBytes`),
  });
}

/**
 * Applies defaults and checks every option; throws `LogdError('BAD_VALUE')` for an unknown
 * key or a value out of range.
 *
 * @example
 * resolveLogdOptions({ auditWriter: policyd.serviceId }).audit; // { maxRecords: 4096, maxBytes: 2097152 }
 */
export function resolveLogdOptions(options: LogdOptions): ResolvedLogdOptions {
  if (typeof options !== 'object' || options === null) throw new LogdError('BAD_VALUE', 'options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new LogdError('BAD_VALUE', `unknown option ${key}`);
  }
  if (typeof options.auditWriter !== 'bigint' || options.auditWriter < 0n || options.auditWriter > U64_MAX) {
    throw new LogdError('BAD_VALUE', 'auditWriter must be a u64 service id');
  }
  if (options.console !== undefined && typeof options.console !== 'function') {
    throw new LogdError('BAD_VALUE', 'console must be a function');
  }
  if (options.realNowMs !== undefined && typeof options.realNowMs !== 'function') {
    throw new LogdError('BAD_VALUE', 'realNowMs must be a function');
  }
  return Object.freeze({
    auditWriter: options.auditWriter,
    audit: bounds(options.audit, { maxRecords: 4096, maxBytes: 2 * 1024 * 1024 }, 'audit'),
    general: bounds(options.general, { maxRecords: 1024, maxBytes: 512 * 1024 }, 'general'),
    policyTimeoutMs: int(options.policyTimeoutMs, 200, 1, LOGD_LIMITS.maxPolicyTimeoutMs, 'policyTimeoutMs'),
    queueDepth: int(options.queueDepth, 64, 1, LOGD_LIMITS.maxQueueDepth, 'queueDepth'),
    auditQueueDepth: int(options.auditQueueDepth, 64, 1, LOGD_LIMITS.maxQueueDepth, 'auditQueueDepth'),
    generalBurst: int(options.generalBurst, 256, 1, LOGD_LIMITS.maxBurst, 'generalBurst'),
    rateIntervalMs: int(options.rateIntervalMs, 1000, 1, LOGD_LIMITS.maxRateIntervalMs, 'rateIntervalMs'),
    realNowMs: options.realNowMs ?? ((): number => performance.now()),
    console: options.console,
    storage: storage(options),
  });
}
