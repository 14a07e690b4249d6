/** Every how many records of a segment the index keeps a file offset. */
export const SPARSE_EVERY = 64;

/**
 * The index entry of one segment file, kept in memory (rebuilt by recovery, which reads every
 * frame anyway): its id range, time range and, for the audit journal, the highest seq of each
 * boot it holds, plus a file offset every {@link SPARSE_EVERY} records. QUERY uses it to skip
 * segments that cannot match and to start reading near a cursor instead of scanning everything.
 *
 * @example
 * const info = newSegmentInfo('audit/0000000001.seg', 1, 1n, 32);
 */
export interface SegmentInfo {
  readonly path: string;
  readonly segmentNo: number;
  /** The id the header names: the first record of this segment has it or a higher one. */
  readonly firstId: bigint;
  /** The newest record's id (`firstId - 1` while empty). */
  lastId: bigint;
  /** Readable records. */
  count: number;
  /** Bytes on disk that are part of the segment (header + frames, synced). */
  bytes: number;
  minTs: bigint;
  maxTs: bigint;
  /** `(id, offset)` of every SPARSE_EVERY-th record, ascending. */
  readonly sparse: { readonly id: bigint; readonly offset: number }[];
  /** Audit journal: boot ordinal → highest seq of that boot in this segment. */
  readonly seqByBoot: Map<number, bigint>;
  /** Damaged byte ranges recovery found (`[offset, end)`): reads jump over them. */
  readonly holes: { readonly offset: number; readonly end: number }[];
}

/**
 * A fresh index entry for a segment whose header was `headerBytes` long.
 *
 * @example
 * newSegmentInfo(path, 2, 65n, 32).lastId; // 64n
 */
export function newSegmentInfo(path: string, segmentNo: number, firstId: bigint, headerBytes: number): SegmentInfo {
  return { path, segmentNo, firstId, lastId: firstId - 1n, count: 0, bytes: headerBytes, minTs: 0n, maxTs: 0n, sparse: [], seqByBoot: new Map(), holes: [] };
}

/**
 * Records one frame of `info` (at `offset`, ending at `end`) in the index.
 *
 * @example
 * noteRecord(info, 5n, 1_000n, 32, 120, { boot: 0, seq: 5n });
 */
export function noteRecord(
  info: SegmentInfo,
  id: bigint,
  timestampNs: bigint,
  offset: number,
  end: number,
  mark: { readonly boot: number; readonly seq: bigint } | undefined,
): void {
  if (info.count % SPARSE_EVERY === 0) info.sparse.push({ id, offset });
  if (info.count === 0 || timestampNs < info.minTs) info.minTs = timestampNs;
  if (info.count === 0 || timestampNs > info.maxTs) info.maxTs = timestampNs;
  info.count += 1;
  info.lastId = id;
  info.bytes = end;
  if (mark !== undefined) {
    const seen = info.seqByBoot.get(mark.boot);
    if (seen === undefined || mark.seq > seen) info.seqByBoot.set(mark.boot, mark.seq);
  }
}

/**
 * The file offset to start reading at for the first record with an id above `afterId` (the
 * nearest sparse entry at or below it), or the end of the header.
 *
 * @example
 * const at = startOffset(info, cursor - 1n, 32);
 */
export function startOffset(info: SegmentInfo, afterId: bigint, headerBytes: number): number {
  let at = headerBytes;
  for (const s of info.sparse) {
    if (s.id > afterId + 1n) break;
    at = s.offset;
  }
  return at;
}
