import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, openSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { encodeSegmentHeader, SEGMENT_FORMAT, type SegmentJournal } from './segment-format.js';
import { segmentFileName } from './recover-journal.js';
import { newSegmentInfo, type SegmentInfo } from './segment-index.js';

/** Frames written and synced by one `fdatasync`, at most (bounds one writev). */
const MAX_BATCH = 1024;

/**
 * Where a frame landed once it is on disk.
 *
 * @example
 * const { segment, offset }: PlacedFrame = await writer.write(frame);
 */
export interface PlacedFrame {
  readonly segment: SegmentInfo;
  readonly offset: number;
  readonly end: number;
}

interface Pending {
  readonly frame: Uint8Array;
  readonly id: bigint;
  readonly resolve: (placed: PlacedFrame) => void;
  readonly reject: (error: unknown) => void;
}

/** Writes `frames` at `position` until every byte is on the file (a short writev is continued). */
function writeAllAt(fd: number, frames: readonly Uint8Array[], position: number, end: number): void {
  let at = position;
  let rest = [...frames];
  while (at < end) {
    let n = writevSync(fd, rest, at);
    if (n <= 0) throw new Error('the disk accepted no bytes');
    at += n;
    // Drop what was written, keep the unwritten tail of a partly written frame.
    while (n > 0 && rest.length > 0) {
      const head = rest[0] as Uint8Array;
      if (n >= head.byteLength) {
        n -= head.byteLength;
        rest.shift();
      } else {
        rest[0] = head.subarray(n);
        n = 0;
      }
    }
  }
}

/** fsync of a folder, so a new file's name survives a crash as well as its bytes. */
function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates segment `segmentNo` of `journal` in `dir` (exclusive create, header written and synced,
 * folder synced) and returns its open descriptor. Synchronous: used at boot, where a failure is a
 * startup error.
 *
 * @example
 * const { fd, info } = createSegmentSync(dir, 'audit', 1, 1n);
 */
export function createSegmentSync(dir: string, journal: SegmentJournal, segmentNo: number, firstId: bigint): { fd: number; info: SegmentInfo } {
  const path = join(dir, segmentFileName(segmentNo));
  const fd = openSync(path, 'wx');
  try {
    writeSync(fd, encodeSegmentHeader({ journal, segmentNo, firstId }));
    fdatasyncSync(fd);
    syncDir(dir);
  } catch (error) {
    closeSync(fd);
    try { unlinkSync(path); } catch { /* best effort: recovery removes a short segment anyway */ }
    throw error;
  }
  return { fd, info: newSegmentInfo(path, segmentNo, firstId, SEGMENT_FORMAT.headerBytes) };
}

/**
 * The append side of one journal: a single active segment, group commit and rotation.
 * `write` queues a frame; the queue is written with one `writev` and made durable with ONE
 * `fdatasync` per batch, and every frame's promise resolves only after that sync returned (the
 * caller acknowledges the APPEND then, never before). Frames queued while a sync runs form the
 * next batch, so a burst costs one sync, not one per record. A frame that does not fit the active
 * segment (`segmentBytes`) goes to a new one, created and synced before anything is written to it.
 * On a failed write or sync the file is cut back to its last synced length and every queued frame
 * is rejected (their ids were consecutive; the journal rolls them back).
 *
 * The batch is written and synced with synchronous calls, in the microtask after the first frame
 * was queued: its records are confirmed as soon as the disk is done, whatever the other tasks of
 * this one process keep doing (with the thread pool, a burst of work that never yields to the
 * event loop held every confirmation back). One sync costs this thread a fraction of a
 * millisecond on the machines measured (`npm run bench -w @nexus/logd` prints it); a batch of
 * APPEND_BLOCKs pays it once.
 *
 * @example
 * const writer = new SegmentWriter(dir, 'audit', fd, info, 1 << 20, (s) => segments.push(s));
 * const placed = await writer.write(encodeFrame(id, ts, body));
 */
export class SegmentWriter {
  readonly #dir: string;
  readonly #journal: SegmentJournal;
  readonly #segmentBytes: number;
  readonly #onSegment: (info: SegmentInfo) => void;
  /** Called synchronously when a batch failed, with the id of the last frame on disk. */
  onFailure: ((lastDurableId: bigint | undefined) => void) | undefined;
  #lastDurableId: bigint | undefined;
  #fd: number;
  #active: SegmentInfo;
  #queue: Pending[] = [];
  #running = false;
  #closed = false;
  #syncs = 0;

  constructor(dir: string, journal: SegmentJournal, fd: number, active: SegmentInfo, segmentBytes: number, onSegment: (info: SegmentInfo) => void) {
    this.#dir = dir;
    this.#journal = journal;
    this.#fd = fd;
    this.#active = active;
    this.#segmentBytes = segmentBytes;
    this.#onSegment = onSegment;
  }

  /** The segment frames are appended to now. */
  get active(): SegmentInfo {
    return this.#active;
  }

  /** `fdatasync` calls made so far (the bench and tests read it). */
  get syncs(): number {
    return this.#syncs;
  }

  /**
   * Queues `frame` (of record `id`) and resolves once it is on disk.
   *
   * @example
   * await writer.write(frame, 7n);
   */
  write(frame: Uint8Array, id: bigint): Promise<PlacedFrame> {
    return new Promise<PlacedFrame>((resolve, reject) => {
      if (this.#closed) {
        reject(new Error('the journal is closed'));
        return;
      }
      this.#queue.push({ frame, id, resolve, reject });
      if (!this.#running) {
        this.#running = true;
        // Everything queued in this turn joins the first batch.
        queueMicrotask(() => this.#run());
      }
    });
  }

  #run(): void {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      try {
        this.#writeBatch(batch);
      } catch (error) {
        const rest = this.#queue.splice(0);
        // Before anything else runs: the ids of every refused frame are free again.
        this.onFailure?.(this.#lastDurableId);
        for (const p of [...batch, ...rest]) p.reject(error);
        try {
          ftruncateSync(this.#fd, this.#active.bytes);
        } catch {
          // Recovery truncates a torn tail at the next start.
        }
      }
    }
    this.#running = false;
  }

  #writeBatch(batch: Pending[]): void {
    let i = 0;
    while (i < batch.length) {
      const first = batch[i] as Pending;
      if (this.#active.count > 0 && this.#active.bytes + first.frame.byteLength > this.#segmentBytes) this.#rotate(first.id);
      let end = this.#active.bytes;
      let j = i;
      const frames: Uint8Array[] = [];
      const placed: PlacedFrame[] = [];
      while (j < batch.length) {
        const p = batch[j] as Pending;
        if (frames.length > 0 && end + p.frame.byteLength > this.#segmentBytes) break;
        frames.push(p.frame);
        placed.push({ segment: this.#active, offset: end, end: end + p.frame.byteLength });
        end += p.frame.byteLength;
        j++;
      }
      writeAllAt(this.#fd, frames, this.#active.bytes, end);
      fdatasyncSync(this.#fd);
      this.#syncs += 1;
      // Only now are these records durable; the journal indexes them as each promise resolves.
      for (let k = i; k < j; k++) (batch[k] as Pending).resolve(placed[k - i] as PlacedFrame);
      this.#active.bytes = end;
      this.#lastDurableId = (batch[j - 1] as Pending).id;
      i = j;
    }
  }

  #rotate(firstId: bigint): void {
    const { fd, info } = createSegmentSync(this.#dir, this.#journal, this.#active.segmentNo + 1, firstId);
    const old = this.#fd;
    this.#fd = fd;
    this.#active = info;
    this.#onSegment(this.#active);
    try {
      closeSync(old);
    } catch {
      // The old segment is complete and synced; a failed close loses nothing.
    }
  }

  /**
   * Waits for queued frames, then closes the active segment.
   *
   * @example
   * await writer.close();
   */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running) await new Promise((resolve) => setImmediate(resolve));
    try {
      closeSync(this.#fd);
    } catch {
      // Already closed: nothing left to release.
    }
  }

  /** The folder and file name of the active segment, for reports. */
  describe(): string {
    return `${basename(dirname(this.#active.path))}/${basename(this.#active.path)}`;
  }
}
