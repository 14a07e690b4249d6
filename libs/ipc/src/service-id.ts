const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const U64_MASK = 0xffffffffffffffffn;
const encoder = new TextEncoder();

/**
 * A task's kernel identity: FNV-1a 64 over the UTF-8 bytes of its service name.
 *
 * The kernel is the only component that stamps ids on messages; this function is exported so that
 * policy compilers and tools compute the same ids (the upstream ABI), never so that a sender can
 * claim one.
 *
 * @example
 * serviceIdFromName('keystored'); // 0x866cecf1b02a841bn
 * serviceIdFromName('');          // 0xcbf29ce484222325n
 */
export function serviceIdFromName(name: string): bigint {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of encoder.encode(name)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & U64_MASK;
  }
  return hash;
}
