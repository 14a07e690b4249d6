import { FrameReader } from '@nexus/ipc';
import { readMagic } from './read-magic.js';

/** The fixed header of a protocol frame `[magic0, magic1, version, op]` and its size bounds. */
export interface FrameHeaderSpec {
  /** The two magic bytes that open every frame of the protocol. */
  readonly magic: Uint8Array;
  /** The one version this side speaks. */
  readonly version: number;
  /** Longest acceptable frame; a longer one is refused before any byte is parsed. */
  readonly maxFrame: number;
  /** Shortest acceptable frame (default 4, the header alone). */
  readonly minFrame?: number;
}

/** Why a frame header was refused, in the status names every protocol here shares. */
export type FrameHeaderProblem = 'TOO_LARGE' | 'MALFORMED' | 'UNSUPPORTED';

/**
 * The outcome of {@link readFrameHeader}: the op and a reader positioned after the header, or the
 * problem with the header fields that could be read (`op` and `version` only once the magic matched).
 */
export type FrameHeader =
  | { readonly ok: true; readonly op: number; readonly reader: FrameReader }
  | { readonly ok: false; readonly problem: FrameHeaderProblem; readonly version?: number; readonly op?: number };

/**
 * Reads the `[magic, version, op]` header of a frame of a protocol defined outside this package
 * and returns a value, never throws. Checks, in this order, the order every decoder here answers
 * in: size (> `maxFrame` → TOO_LARGE, before parsing), then < `minFrame` or wrong magic →
 * MALFORMED, then another version → UNSUPPORTED. The op is not judged: each protocol knows its own.
 *
 * @example
 * const h = readFrameHeader(frame, { magic: EX_MAGIC, version: EX_VERSION, maxFrame: EX_MAX_FRAME, minFrame: 5 });
 * if (!h.ok) return fail(ExecStatus[h.problem], h.op);
 * const nameLength = h.reader.u8();
 */
export function readFrameHeader(frame: Uint8Array, spec: FrameHeaderSpec): FrameHeader {
  if (frame.byteLength > spec.maxFrame) return { ok: false, problem: 'TOO_LARGE' };
  if (frame.byteLength < Math.max(4, spec.minFrame ?? 4)) return { ok: false, problem: 'MALFORMED' };
  const reader = new FrameReader(frame);
  if (!readMagic(reader, spec.magic)) return { ok: false, problem: 'MALFORMED' };
  const version = reader.u8();
  const op = reader.u8();
  if (version !== spec.version) return { ok: false, problem: 'UNSUPPORTED', version, op };
  return { ok: true, op, reader };
}
