import { BoundedMemo } from '@nexus/ipc';

const encoder = new TextEncoder();
// In u-mode a valid pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /\p{Cs}/u;
/** Strings longer than any record field are never cached (they are refused anyway). */
const MAX_CACHED_CHARS = 128;
/** Bounds the cache's memory: at most this many strings of at most 128 chars (≤ 512 bytes each). */
const MAX_ENTRIES = 1024;

// Actions, targets and rule refs repeat from a small set (the policy's), so a bounded cache turns
// the per-record well-formedness check and UTF-8 encoding (an off-heap allocation) into one lookup.
const cache = new BoundedMemo(
  MAX_ENTRIES,
  (value: string) => (LONE_SURROGATE.test(value) ? undefined : encoder.encode(value)),
  (value) => value.length <= MAX_CACHED_CHARS,
);

/**
 * @internal The UTF-8 bytes of a well-formed string (shared: callers must not modify them), or
 * `undefined` for a string with a lone surrogate.
 *
 * @example
 * utf8Bytes('ipc.core')?.byteLength; // 8
 */
export function utf8Bytes(value: string): Uint8Array | undefined {
  return cache.get(value);
}
