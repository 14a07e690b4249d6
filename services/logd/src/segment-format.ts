import { crc32 } from 'node:zlib';

/**
 * The on-disk constants of a logd segment file (RFC-0015 §5.6.8). A segment is a 32-byte header
 * followed by frames; every integer is little-endian.
 *
 * Header: magic `NXLOGSEG` (8) ‖ formatVersion u16 ‖ journal u8 (0 general, 1 audit) ‖ 0 u8 ‖
 * segmentNo u32 ‖ firstId u64 ‖ 0 u32 ‖ crc32 of the 28 bytes before it u32.
 *
 * Frame: length u32 (of the payload) ‖ crc32 of (length ‖ payload) u32 ‖ payload, where payload =
 * recordId u64 ‖ timestampNs u64 ‖ body (the audit record's binary encoding, or the general LO
 * record).
 *
 * @example
 * SEGMENT_FORMAT.headerBytes; // 32
 */
export const SEGMENT_FORMAT: {
  readonly magic: string;
  readonly version: 1;
  readonly headerBytes: 32;
  readonly frameHeaderBytes: 8;
  /** Record id and timestamp in front of every body. */
  readonly payloadPrefixBytes: 16;
  /** Largest body: an LO record at its largest (audit records are smaller). */
  readonly maxBodyBytes: number;
} = Object.freeze({ magic: 'NXLOGSEG', version: 1, headerBytes: 32, frameHeaderBytes: 8, payloadPrefixBytes: 16, maxBodyBytes: 4096 });

/** Which journal a segment belongs to, as its header byte. */
export type SegmentJournal = 'general' | 'audit';

/**
 * A decoded segment header.
 *
 * @example
 * const header: SegmentHeader = { version: 1, journal: 'audit', segmentNo: 3, firstId: 120n };
 */
export interface SegmentHeader {
  readonly version: number;
  readonly journal: SegmentJournal;
  readonly segmentNo: number;
  readonly firstId: bigint;
}

const MAGIC = new TextEncoder().encode(SEGMENT_FORMAT.magic);
const MAX_PAYLOAD = SEGMENT_FORMAT.payloadPrefixBytes + SEGMENT_FORMAT.maxBodyBytes;

/**
 * Encodes a segment header (always the current format version).
 *
 * @example
 * await file.write(encodeSegmentHeader({ journal: 'audit', segmentNo: 1, firstId: 1n }), 0, 32, 0);
 */
export function encodeSegmentHeader(h: Omit<SegmentHeader, 'version'>): Uint8Array {
  const out = new Uint8Array(SEGMENT_FORMAT.headerBytes);
  const v = new DataView(out.buffer);
  out.set(MAGIC, 0);
  v.setUint16(8, SEGMENT_FORMAT.version, true);
  v.setUint8(10, h.journal === 'audit' ? 1 : 0);
  v.setUint32(12, h.segmentNo, true);
  v.setBigUint64(16, h.firstId, true);
  v.setUint32(28, crc32(out.subarray(0, 28)), true);
  return out;
}

/**
 * What a header read found: the header, or why it is not one. `short` (fewer than 32 bytes: a
 * segment whose creation was cut), `foreign` (not logd's magic), `future` (a format version this
 * build does not know), `corrupt` (the checksum or a reserved byte is wrong).
 *
 * @example
 * const read: HeaderRead = decodeSegmentHeader(bytes); if (read.kind === 'header') read.header.firstId;
 */
export type HeaderRead =
  | { readonly kind: 'header'; readonly header: SegmentHeader }
  | { readonly kind: 'short' | 'foreign' | 'corrupt' }
  | { readonly kind: 'future'; readonly version: number };

/**
 * Decodes the header at the start of `bytes` (checked: magic, then version, then checksum).
 *
 * @example
 * decodeSegmentHeader(encodeSegmentHeader({ journal: 'general', segmentNo: 1, firstId: 1n })).kind; // 'header'
 */
export function decodeSegmentHeader(bytes: Uint8Array): HeaderRead {
  if (bytes.byteLength < SEGMENT_FORMAT.headerBytes) {
    // A prefix of the magic is a header being written; anything else was never ours.
    const n = Math.min(bytes.byteLength, MAGIC.byteLength);
    for (let i = 0; i < n; i++) if (bytes[i] !== MAGIC[i]) return { kind: 'foreign' };
    return { kind: 'short' };
  }
  for (let i = 0; i < MAGIC.byteLength; i++) if (bytes[i] !== MAGIC[i]) return { kind: 'foreign' };
  const v = new DataView(bytes.buffer, bytes.byteOffset, SEGMENT_FORMAT.headerBytes);
  const version = v.getUint16(8, true);
  if (version > SEGMENT_FORMAT.version || version === 0) return { kind: 'future', version };
  if (v.getUint32(28, true) !== crc32(bytes.subarray(0, 28))) return { kind: 'corrupt' };
  const journal = v.getUint8(10);
  if (journal > 1 || v.getUint8(11) !== 0 || v.getUint32(24, true) !== 0) return { kind: 'corrupt' };
  return {
    kind: 'header',
    header: { version, journal: journal === 1 ? 'audit' : 'general', segmentNo: v.getUint32(12, true), firstId: v.getBigUint64(16, true) },
  };
}

/**
 * Encodes one record frame.
 *
 * @example
 * const frame = encodeFrame(7n, 1_000n, recordBytes); // 8 + 16 + recordBytes.length bytes
 */
export function encodeFrame(id: bigint, timestampNs: bigint, body: Uint8Array): Uint8Array {
  if (body.byteLength > SEGMENT_FORMAT.maxBodyBytes) throw new RangeError(`body of ${body.byteLength} bytes exceeds ${SEGMENT_FORMAT.maxBodyBytes}`);
  const length = SEGMENT_FORMAT.payloadPrefixBytes + body.byteLength;
  const out = new Uint8Array(SEGMENT_FORMAT.frameHeaderBytes + length);
  const v = new DataView(out.buffer);
  v.setUint32(0, length, true);
  v.setBigUint64(8, id, true);
  v.setBigUint64(16, timestampNs, true);
  out.set(body, 24);
  v.setUint32(4, frameChecksum(out), true);
  return out;
}

/** crc32 over the length field and the payload (the checksum field itself is skipped). */
function frameChecksum(frame: Uint8Array): number {
  return crc32(frame.subarray(8), crc32(frame.subarray(0, 4)));
}

/**
 * One step of a frame walk at `offset` of a segment's bytes:
 * - `frame`: a valid frame; `end` is where the next one starts.
 * - `end`: `offset` is the end of the bytes.
 * - `incomplete`: the frame header or payload runs past the end (a write cut short).
 * - `bad-length`: the length field is outside 16..16+maxBodyBytes (no next frame can be found);
 *   `zeros` tells whether every byte from `offset` on is zero (space allocated, never written).
 * - `bad-checksum`: a complete frame whose checksum does not match; `end` is where the next frame
 *   would start if the length is right.
 *
 * @example
 * for (let at = 32; ; ) { const s = readFrame(bytes, at); if (s.kind !== 'frame') break; at = s.end; }
 */
export type FrameStep =
  | { readonly kind: 'frame'; readonly id: bigint; readonly timestampNs: bigint; readonly body: Uint8Array; readonly end: number }
  | { readonly kind: 'end' | 'incomplete' }
  | { readonly kind: 'bad-length'; readonly zeros: boolean }
  | { readonly kind: 'bad-checksum'; readonly end: number };

/**
 * Reads the frame at `offset` of `bytes` (never throws; the body is a view into `bytes`).
 *
 * @example
 * const step = readFrame(segmentBytes, SEGMENT_FORMAT.headerBytes);
 */
export function readFrame(bytes: Uint8Array, offset: number): FrameStep {
  const left = bytes.byteLength - offset;
  if (left === 0) return { kind: 'end' };
  if (left < SEGMENT_FORMAT.frameHeaderBytes) return { kind: 'incomplete' };
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset, left);
  const length = v.getUint32(0, true);
  if (length < SEGMENT_FORMAT.payloadPrefixBytes || length > MAX_PAYLOAD) {
    let zeros = true;
    for (let i = offset; i < bytes.byteLength && zeros; i++) zeros = bytes[i] === 0;
    return { kind: 'bad-length', zeros };
  }
  const end = offset + SEGMENT_FORMAT.frameHeaderBytes + length;
  if (end > bytes.byteLength) return { kind: 'incomplete' };
  const frame = bytes.subarray(offset, end);
  if (v.getUint32(4, true) !== frameChecksum(frame)) return { kind: 'bad-checksum', end };
  return { kind: 'frame', id: v.getBigUint64(8, true), timestampNs: v.getBigUint64(16, true), body: frame.subarray(24), end };
}
