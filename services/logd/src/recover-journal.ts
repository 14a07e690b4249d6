import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { LogdError } from './logd-error.js';
import { decodeSegmentHeader, readFrame, SEGMENT_FORMAT, type SegmentJournal } from './segment-format.js';
import { newSegmentInfo, noteRecord, type SegmentInfo } from './segment-index.js';

/**
 * One thing recovery found wrong, by segment file (its name inside the journal folder) and byte
 * offset: `torn-tail` (an unfinished last frame, truncated), `torn-header` (a segment whose
 * creation was cut, removed), `bad-checksum` / `bad-length` / `bad-record` (a corruption in the
 * middle: reported, left on disk, its bytes not served; `bytes` is how many were skipped).
 *
 * @example
 * const issue: RecoveryIssue = { segment: '0000000003.seg', offset: 4180, kind: 'bad-checksum', bytes: 120 };
 */
export interface RecoveryIssue {
  readonly segment: string;
  readonly offset: number;
  readonly kind: 'torn-tail' | 'torn-header' | 'bad-checksum' | 'bad-length' | 'bad-record';
  readonly bytes: number;
}

/**
 * What recovery of one journal folder found.
 *
 * @example
 * const { records, tornTail, corruptions }: JournalRecovery = report.audit;
 */
export interface JournalRecovery {
  readonly journal: SegmentJournal;
  readonly segments: number;
  readonly records: number;
  readonly bytes: number;
  /** The torn tail that was truncated (or the cut segment that was removed), if any. */
  readonly tornTail: RecoveryIssue | undefined;
  /** Corruptions in the middle, oldest first; never skipped silently. */
  readonly corruptions: readonly RecoveryIssue[];
}

/**
 * The result of {@link recoverJournal}: the readable segments (oldest first), the next record id
 * and segment number to use, and the report.
 *
 * @example
 * const { segments, nextId, report }: RecoveredJournal = recoverJournal(dir, 'audit', onRecord);
 */
export interface RecoveredJournal {
  readonly segments: SegmentInfo[];
  readonly nextId: bigint;
  readonly nextSegmentNo: number;
  readonly report: JournalRecovery;
}

/**
 * Called for every valid frame in id order; returns the audit mark to index, or `false` when the
 * body does not decode (reported as `bad-record`).
 */
export type RecoveredRecord = (
  id: bigint,
  timestampNs: bigint,
  body: Uint8Array,
  segment: SegmentInfo,
) => { readonly boot: number; readonly seq: bigint } | undefined | false;

const SEGMENT_NAME = /^(\d{10})\.seg$/;

/**
 * The file name of segment number `n`.
 *
 * @example
 * segmentFileName(3); // '0000000003.seg'
 */
export function segmentFileName(n: number): string {
  return `${String(n).padStart(10, '0')}.seg`;
}

/**
 * Makes sure `dir` is a directory (creating it), or throws `LogdError('STATE_DIR')` with its path.
 *
 * @example
 * ensureDir(join(stateDir, 'audit'));
 */
export function ensureDir(dir: string): void {
  let isDir: boolean;
  try {
    isDir = lstatSync(dir).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new LogdError('STATE_DIR', 'cannot read the state dir', { path: dir, cause: error });
    try {
      mkdirSync(dir, { recursive: true });
    } catch (cause) {
      throw new LogdError('STATE_DIR', 'cannot create the state dir', { path: dir, cause });
    }
    return;
  }
  if (!isDir) throw new LogdError('STATE_DIR', 'the state dir is not a directory', { path: dir });
}

/** A frame that could follow `prevId` starting exactly at `p` (for resynchronising after damage). */
function frameAt(bytes: Uint8Array, p: number, prevId: bigint): boolean {
  const step = readFrame(bytes, p);
  return step.kind === 'frame' && step.id > prevId;
}

function nextFrameAfter(bytes: Uint8Array, from: number, prevId: bigint): number | undefined {
  for (let p = from + 1; p + SEGMENT_FORMAT.frameHeaderBytes + SEGMENT_FORMAT.payloadPrefixBytes <= bytes.byteLength; p++) {
    if (frameAt(bytes, p, prevId)) return p;
  }
  return undefined;
}

function syncTruncate(path: string, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Scans the segments of one journal folder (synchronously: this is boot time) and repairs only
 * what a crash can leave behind: an unfinished last frame of the newest segment (a torn tail) is
 * truncated, a newest segment whose header was cut is removed, and both are reported. Damage
 * anywhere else is a corruption: reported with segment and offset, left on disk, never served,
 * and the walk resumes at the next valid frame. A folder that is not logd's (a foreign or a
 * future-format segment, a header whose checksum fails) is a typed error with the path: logd
 * refuses to start rather than reset it.
 *
 * @example
 * const { segments, nextId, report } = recoverJournal(join(stateDir, 'audit'), 'audit', (id, ts, body) => undefined);
 */
export function recoverJournal(dir: string, journal: SegmentJournal, onRecord: RecoveredRecord, options: { readonly readOnly?: boolean } = {}): RecoveredJournal {
  // Read-only (a tool reading a state dir): the same walk and report, nothing created, cut or removed.
  const readOnly = options.readOnly === true;
  if (readOnly) {
    let isDir = false;
    try {
      isDir = lstatSync(dir).isDirectory();
    } catch (cause) {
      throw new LogdError('STATE_DIR', 'no journal folder', { path: dir, cause });
    }
    if (!isDir) throw new LogdError('STATE_DIR', 'the journal folder is not a directory', { path: dir });
  } else {
    ensureDir(dir);
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (cause) {
    throw new LogdError('STATE_DIR', 'cannot list the journal folder', { path: dir, cause });
  }
  const numbered = names
    .map((name) => ({ name, match: SEGMENT_NAME.exec(name) }))
    .filter((n) => n.match !== null || n.name.endsWith('.seg'));
  for (const n of numbered) if (n.match === null) throw new LogdError('FOREIGN_SEGMENT', 'not a logd segment name', { path: join(dir, n.name) });
  numbered.sort((a, b) => Number(a.match?.[1]) - Number(b.match?.[1]));

  const segments: SegmentInfo[] = [];
  const corruptions: RecoveryIssue[] = [];
  let tornTail: RecoveryIssue | undefined;
  let prevId = 0n;
  let nextId = 1n;
  let nextSegmentNo = 1;
  let records = 0;
  let bytesTotal = 0;
  numbered.forEach(({ name, match }, k) => {
    const path = join(dir, name);
    const last = k === numbered.length - 1;
    const segmentNo = Number(match?.[1]);
    nextSegmentNo = Math.max(nextSegmentNo, segmentNo + 1);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (cause) {
      throw new LogdError('STATE_DIR', 'cannot read a segment', { path, cause });
    }
    const head = decodeSegmentHeader(bytes);
    if (head.kind === 'short' && last) {
      // A segment being created when logd stopped: nothing was ever acknowledged from it.
      if (!readOnly) unlinkSync(path);
      tornTail = { segment: name, offset: 0, kind: 'torn-header', bytes: bytes.byteLength };
      return;
    }
    if (head.kind === 'foreign') throw new LogdError('FOREIGN_SEGMENT', 'not a logd segment (magic)', { path });
    if (head.kind === 'future') throw new LogdError('FUTURE_SEGMENT', `segment format version ${head.version}, this logd reads ${SEGMENT_FORMAT.version}`, { path });
    if (head.kind !== 'header') throw new LogdError('CORRUPT_SEGMENT', 'segment header damaged', { path });
    const h = head.header;
    if (h.journal !== journal) throw new LogdError('FOREIGN_SEGMENT', `a ${h.journal} segment in the ${journal} journal`, { path });
    if (h.segmentNo !== segmentNo) throw new LogdError('CORRUPT_SEGMENT', `header names segment ${h.segmentNo}`, { path });
    if (h.firstId <= prevId) throw new LogdError('CORRUPT_SEGMENT', `first id ${h.firstId} not above ${prevId}`, { path });
    const info = newSegmentInfo(path, segmentNo, h.firstId, SEGMENT_FORMAT.headerBytes);
    let at: number = SEGMENT_FORMAT.headerBytes;
    let lastGood = h.firstId - 1n;
    while (at < bytes.byteLength) {
      const step = readFrame(bytes, at);
      if (step.kind === 'end') break;
      if (step.kind === 'frame' && step.id > lastGood && step.id > prevId) {
        const mark = onRecord(step.id, step.timestampNs, step.body, info);
        if (mark === false) {
          corruptions.push({ segment: name, offset: at, kind: 'bad-record', bytes: step.end - at });
          info.holes.push({ offset: at, end: step.end });
        } else {
          noteRecord(info, step.id, step.timestampNs, at, step.end, mark);
          lastGood = step.id;
        }
        at = step.end;
        continue;
      }
      // Damage at `at`. In the newest segment, damage that no valid frame follows is an
      // unfinished write: the record was never acknowledged, so it is cut off.
      const resume = step.kind === 'bad-checksum' && frameAt(bytes, step.end, lastGood) ? step.end : nextFrameAfter(bytes, at, lastGood);
      if (resume === undefined && last) {
        if (!readOnly) syncTruncate(path, at);
        tornTail = { segment: name, offset: at, kind: 'torn-tail', bytes: bytes.byteLength - at };
        break;
      }
      const kind = step.kind === 'bad-checksum' ? 'bad-checksum' : step.kind === 'frame' ? 'bad-record' : 'bad-length';
      const end = resume ?? bytes.byteLength;
      corruptions.push({ segment: name, offset: at, kind, bytes: end - at });
      info.holes.push({ offset: at, end });
      at = end;
    }
    info.bytes = Math.max(info.bytes, Math.min(at, bytes.byteLength));
    if (info.lastId + 1n > nextId) nextId = info.lastId + 1n;
    if (h.firstId > nextId) nextId = h.firstId;
    if (lastGood > prevId) prevId = lastGood;
    if (info.count === 0 && corruptions.every((c) => c.segment !== name)) {
      // Header only: holds nothing, so it is not kept (its ids were never used).
      if (!readOnly) unlinkSync(path);
      return;
    }
    records += info.count;
    bytesTotal += info.bytes;
    segments.push(info);
  });
  return {
    segments,
    nextId,
    nextSegmentNo,
    report: Object.freeze({ journal, segments: segments.length, records, bytes: bytesTotal, tornTail, corruptions: Object.freeze(corruptions) }),
  };
}
