import { unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { JournalEntry, JournalStats } from './journal.js';
import { LogdError } from './logd-error.js';
import { RecordCache } from './record-cache.js';
import { recoverJournal, type JournalRecovery } from './recover-journal.js';
import { encodeFrame, readFrame, SEGMENT_FORMAT, type SegmentJournal } from './segment-format.js';
import { noteRecord, startOffset, type SegmentInfo } from './segment-index.js';
import { createSegmentSync, SegmentWriter } from './segment-writer.js';

/**
 * What a durable journal does when an append would take it over its quota:
 * - `deny`: refuse the append (LO status FULL); nothing stored is ever removed.
 * - `rotate-sealed`: delete the oldest segments, but only those every record of which is covered
 *   by a sealed checkpoint (`deletable`); refuse when none is.
 * - `drop-oldest`: delete the oldest segments (the general journal: its pressure never touches the
 *   audit journal, which has its own folder and quota).
 */
export type FullAction = 'deny' | 'rotate-sealed' | 'drop-oldest';

/**
 * How records of type `T` are stored: the body bytes and timestamp of an item, the item of a
 * stored body (throws when the bytes are not a valid record), and for the audit journal the
 * boot/seq mark the index keeps per segment.
 *
 * @example
 * const codec: RecordCodec<string> = { encode: (s) => ({ timestampNs: 0n, body: enc(s) }), decode: (_id, _ts, b) => dec(b) };
 */
export interface RecordCodec<T> {
  encode(item: T): { readonly timestampNs: bigint; readonly body: Uint8Array };
  decode(id: bigint, timestampNs: bigint, body: Uint8Array): T;
  /** Called once per stored record in id order (recovery, then every committed append). */
  mark?(id: bigint, item: T): { readonly boot: number; readonly seq: bigint } | undefined;
}

/**
 * Options of {@link DiskJournal.open}.
 *
 * @example
 * const options: DiskJournalOptions<Item> = { dir, journal: 'audit', segmentBytes: 1 << 20, quotaBytes: 64 << 20, fullAction: 'deny', cacheRecords: 4096, codec };
 */
export interface DiskJournalOptions<T> {
  readonly dir: string;
  readonly journal: SegmentJournal;
  readonly segmentBytes: number;
  readonly quotaBytes: number;
  readonly fullAction: FullAction;
  readonly cacheRecords: number;
  readonly codec: RecordCodec<T>;
  /** `rotate-sealed`: may this (closed) segment be deleted? */
  readonly deletable?: (segment: SegmentInfo) => boolean;
}

/**
 * The outcome of {@link DiskJournal.append}: the stored entry once it is on disk, or `full`
 * (quota reached and nothing may be deleted) / `io` (the disk refused the write).
 *
 * @example
 * const r: DurableAppend<Item> = await journal.append(item); if (r.ok) r.entry.id;
 */
export type DurableAppend<T> = { readonly ok: true; readonly entry: JournalEntry<T> } | { readonly ok: false; readonly reason: 'full' | 'io' };

/**
 * The outcome of {@link DiskJournal.appendBlock}: the stored prefix of the block (consecutive
 * ids), and `failure` when it is not the whole block.
 *
 * @example
 * const { entries, failure }: DurableBlock<Item> = await journal.appendBlock(items);
 */
export interface DurableBlock<T> {
  readonly entries: readonly JournalEntry<T>[];
  readonly failure?: 'full' | 'io';
}

const REFUSED_FULL: DurableAppend<never> = Object.freeze({ ok: false, reason: 'full' });

/** Which segments a scan may skip without reading them (a QUERY's seq or time range). */
export type SegmentSkip = (segment: SegmentInfo) => boolean;

/** Records one cold QUERY page may read from disk at most, so a read's work stays bounded. */
const READ_CHUNK = 256 * 1024;

/**
 * One journal kept on disk as append-only segment files (RFC-0015 §5.6.8), with the newest
 * records also in a memory read cache. Ids are contiguous from 1 across restarts (recovery
 * continues after the highest id found). `append` resolves only after the record was synced
 * (group commit in {@link SegmentWriter}); the cache, the index and the counters change only then.
 *
 * @example
 * const { journal, report } = DiskJournal.open(options);
 * const r = await journal.append(item);
 */
export class DiskJournal<T> {
  readonly #options: DiskJournalOptions<T>;
  readonly #segments: SegmentInfo[];
  readonly #cache: RecordCache<T>;
  readonly #writer: SegmentWriter;
  /** The id the next append gets; rolled back past the last frame on disk when a batch fails. */
  #nextId: bigint;
  #committedId: bigint;
  #pendingBytes = 0;
  #count = 0;
  #highWater = 0;
  #deletedSegments = 0;
  #refusedFull = 0n;
  #writeErrors = 0n;

  private constructor(options: DiskJournalOptions<T>, segments: SegmentInfo[], nextId: bigint, nextSegmentNo: number, cache: RecordCache<T>) {
    this.#options = options;
    this.#segments = segments;
    this.#cache = cache;
    this.#nextId = nextId;
    this.#committedId = nextId - 1n;
    for (const s of segments) this.#count += s.count;
    this.#highWater = this.#count;
    let created: ReturnType<typeof createSegmentSync>;
    try {
      created = createSegmentSync(options.dir, options.journal, nextSegmentNo, nextId);
    } catch (cause) {
      throw new LogdError('STATE_DIR', 'cannot write a segment in the journal folder', { path: options.dir, cause });
    }
    segments.push(created.info);
    this.#writer = new SegmentWriter(options.dir, options.journal, created.fd, created.info, options.segmentBytes, (info) => segments.push(info));
    const recoveredNext = nextId;
    this.#writer.onFailure = (lastDurableId): void => {
      // Every queued frame was refused with the failed batch: ids continue after the last one on disk.
      this.#nextId = lastDurableId === undefined ? recoveredNext : lastDurableId + 1n;
    };
  }

  /**
   * Recovers the journal folder (see `recoverJournal`), loads the newest records into the cache and
   * opens a fresh segment for this run. Throws `LogdError` (with the path) for a folder logd must
   * not start on.
   *
   * @example
   * const { journal, report } = DiskJournal.open({ dir, journal: 'general', ... });
   */
  static open<T>(options: DiskJournalOptions<T>): { journal: DiskJournal<T>; report: JournalRecovery } {
    const cache = new RecordCache<T>(options.cacheRecords);
    const recovered = recoverJournal(options.dir, options.journal, (id, timestampNs, body) => {
      let item: T;
      try {
        item = options.codec.decode(id, timestampNs, body);
      } catch {
        return false;
      }
      cache.push(Object.freeze({ id, item, size: body.byteLength }));
      return options.codec.mark?.(id, item);
    });
    const journal = new DiskJournal(options, recovered.segments, recovered.nextId, recovered.nextSegmentNo, cache);
    return { journal, report: recovered.report };
  }

  /** Bytes on disk (every segment) plus bytes queued for the next sync. */
  get bytes(): number {
    let total = this.#pendingBytes;
    for (const s of this.#segments) total += s.bytes;
    return total;
  }

  /** Appends refused because the quota was reached. */
  get refusedFull(): bigint {
    return this.#refusedFull;
  }

  /** Appends refused because the disk failed the write or sync. */
  get writeErrors(): bigint {
    return this.#writeErrors;
  }

  /** Segments deleted to respect the quota. */
  get deletedSegments(): number {
    return this.#deletedSegments;
  }

  /** `fdatasync` calls made by this run. */
  get syncs(): number {
    return this.#writer.syncs;
  }

  /**
   * Stores `item`; resolves once it is on disk (or with the reason it was refused).
   *
   * @example
   * const r = await journal.append(item); r.ok && r.entry.id;
   */
  append(item: T): Promise<DurableAppend<T>> {
    return this.#start(item) ?? Promise.resolve(REFUSED_FULL);
  }

  /**
   * Stores `items` in order, in one pass: every frame goes to the writer before any sync, so the
   * block shares one group commit; the first item over the quota stops the block there (nothing
   * after it is written). Resolves with the stored prefix and, if the block was cut short, why.
   *
   * @example
   * const { entries, failure } = await journal.appendBlock(items); // entries: the stored prefix
   */
  async appendBlock(items: readonly T[]): Promise<DurableBlock<T>> {
    const started: Promise<DurableAppend<T>>[] = [];
    let failure: 'full' | 'io' | undefined;
    for (const item of items) {
      const one = this.#start(item);
      if (one === undefined) {
        failure = 'full';
        break;
      }
      started.push(one);
    }
    const entries: JournalEntry<T>[] = [];
    for (const r of await Promise.all(started)) {
      // A failed write rolls the ids back: nothing after it counts as stored, even if it landed.
      if (!r.ok) return { entries, failure: r.reason };
      entries.push(r.entry);
    }
    return failure === undefined ? { entries } : { entries, failure };
  }

  /** Starts one append: `undefined` when the quota refuses it (counted). */
  #start(item: T): Promise<DurableAppend<T>> | undefined {
    const { timestampNs, body } = this.#options.codec.encode(item);
    const id = this.#nextId;
    const frame = encodeFrame(id, timestampNs, body);
    if (!this.#makeRoom(frame.byteLength)) {
      this.#refusedFull += 1n;
      return undefined;
    }
    this.#nextId += 1n;
    this.#pendingBytes += frame.byteLength;
    return this.#writer.write(frame, id).then(
      (placed): DurableAppend<T> => {
        this.#pendingBytes -= frame.byteLength;
        noteRecord(placed.segment, id, timestampNs, placed.offset, placed.end, this.#options.codec.mark?.(id, item));
        this.#committedId = id;
        this.#count += 1;
        this.#highWater = Math.max(this.#highWater, this.#count);
        const entry: JournalEntry<T> = Object.freeze({ id, item, size: body.byteLength });
        this.#cache.push(entry);
        return { ok: true, entry };
      },
      (): DurableAppend<T> => {
        this.#pendingBytes -= frame.byteLength;
        // Its id is free again (the writer rolled `#nextId` back before rejecting).
        this.#writeErrors += 1n;
        return { ok: false, reason: 'io' };
      },
    );
  }

  /** Deletes what `fullAction` allows until `need` more bytes fit the quota. */
  #makeRoom(need: number): boolean {
    const { quotaBytes, fullAction, deletable } = this.#options;
    while (this.bytes + need > quotaBytes) {
      if (fullAction === 'deny') return false;
      const oldest = this.#segments[0];
      // The active segment (always the last) is never deleted.
      if (oldest === undefined || oldest === this.#writer.active) return false;
      if (fullAction === 'rotate-sealed' && !(deletable?.(oldest) ?? false)) return false;
      try {
        unlinkSync(oldest.path);
      } catch {
        return false;
      }
      this.#segments.shift();
      this.#deletedSegments += 1;
      this.#count -= oldest.count;
      this.#cache.dropThrough(oldest.lastId);
    }
    return true;
  }

  /**
   * Visits the stored records with an id above `afterId`, oldest first, until `visit` returns
   * `false`: from the cache when it reaches back far enough, otherwise from the segment files
   * (starting at the index's nearest offset; segments `skip` rules out are not read).
   *
   * @example
   * await journal.scan(0n, (e) => { out.push(e); return out.length < 64; });
   */
  async scan(afterId: bigint, visit: (entry: JournalEntry<T>) => boolean, skip?: SegmentSkip): Promise<void> {
    const cached = this.#cache.firstId;
    let after = afterId;
    if (cached === undefined || after + 1n < cached) {
      for (const segment of [...this.#segments]) {
        if (segment.lastId <= after || segment.count === 0) continue;
        if (cached !== undefined && segment.firstId >= cached) break;
        if (skip?.(segment) === true) {
          after = segment.lastId;
          continue;
        }
        const r = await this.#scanSegment(segment, after, cached, visit);
        if (r === 'stop') return;
        after = r;
      }
    }
    this.#cache.scan(after, visit);
  }

  /** Reads one segment from the record after `afterId`; returns the last id visited or 'stop'. */
  async #scanSegment(segment: SegmentInfo, afterId: bigint, cachedFrom: bigint | undefined, visit: (entry: JournalEntry<T>) => boolean): Promise<bigint | 'stop'> {
    let handle;
    try {
      handle = await open(segment.path, 'r');
    } catch {
      return segment.lastId; // deleted meanwhile: those records are gone, and counted
    }
    let last = afterId;
    try {
      let at = startOffset(segment, afterId, SEGMENT_FORMAT.headerBytes);
      while (at < segment.bytes) {
        const length = Math.min(READ_CHUNK, segment.bytes - at);
        const buf = new Uint8Array(length);
        const { bytesRead } = await handle.read(buf, 0, length, at);
        const bytes = buf.subarray(0, bytesRead);
        let p = 0;
        let jump: number | undefined;
        for (;;) {
          const hole = segment.holes.find((h) => h.offset === at + p);
          if (hole !== undefined) {
            // Damage recovery reported: its bytes are never served; the next frame follows it.
            jump = hole.end;
            break;
          }
          const step = readFrame(bytes, p);
          if (step.kind !== 'frame') {
            if (step.kind === 'end' || step.kind === 'incomplete') break;
            return segment.lastId; // damage that appeared after recovery: stop, serve nothing from it
          }
          p = step.end;
          if (step.id <= last) continue;
          if (cachedFrom !== undefined && step.id >= cachedFrom) return last;
          let item: T;
          try {
            item = this.#options.codec.decode(step.id, step.timestampNs, step.body);
          } catch {
            continue;
          }
          last = step.id;
          if (!visit(Object.freeze({ id: step.id, item, size: step.body.byteLength }))) return 'stop';
        }
        if (jump !== undefined) {
          at = jump;
          continue;
        }
        if (p === 0) break;
        at += p;
      }
    } finally {
      await handle.close();
    }
    return segment.lastId > last ? segment.lastId : last;
  }

  /**
   * The counters in the shape of the memory journal's: `total` is the highest id stored,
   * `dropped` the ids no longer readable (deleted by the quota, or lost to corruption), `bytes` the
   * bytes on disk.
   *
   * @example
   * journal.stats().count;
   */
  stats(): JournalStats {
    const total = this.#committedId;
    return Object.freeze({
      total,
      dropped: total - BigInt(this.#count),
      highWater: this.#highWater,
      count: this.#count,
      bytes: Math.min(this.bytes, 0xffffffff),
    });
  }

  /**
   * Waits for queued appends and closes the active segment.
   *
   * @example
   * await journal.close();
   */
  close(): Promise<void> {
    return this.#writer.close();
  }
}
