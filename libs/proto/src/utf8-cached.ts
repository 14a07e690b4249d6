import { BoundedMemo } from '@nexus/ipc';

const encoder = new TextEncoder();
/** Longer strings are encoded every time: the repeating ones (names, scopes) are short. */
const MAX_CACHED_CHARS = 256;
/** Bounds the cache's memory: at most this many strings of at most 256 chars. */
const MAX_ENTRIES = 512;

// Names, capabilities and log scopes repeat from a small set, so a bounded memo turns a TextEncoder
// call (an allocation and a native call, ~0.5 µs) per frame into one lookup.
const cache = new BoundedMemo(MAX_ENTRIES, (value: string) => encoder.encode(value), (value) => value.length <= MAX_CACHED_CHARS);

/**
 * The UTF-8 bytes of `value` exactly as `TextEncoder` gives them (a lone surrogate becomes U+FFFD),
 * from a bounded cache. Not exported by the package: the bytes are shared, so callers only copy them
 * into a frame and never modify them.
 *
 * @example
 * utf8Cached('policyd.audit').byteLength; // 13
 */
export function utf8Cached(value: string): Uint8Array {
  return cache.get(value);
}
