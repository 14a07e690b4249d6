const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
/** The FNV-1a 64 prime is 2^40 + 0x1b3, so one multiply is `h * 0x1b3 + (h << 40)`. */
const PRIME_LOW = 0x1b3;
const TWO_32 = 0x1_0000_0000;
const encoder = new TextEncoder();

/**
 * A task's kernel identity: FNV-1a 64 over the UTF-8 bytes of its service name.
 *
 * The kernel is the only component that stamps ids on messages; this function is exported so that
 * policy compilers and tools compute the same ids (the upstream ABI), never so that a sender can
 * claim one. The hash runs on two 32-bit halves in plain numbers (one bigint at the end) and reads
 * an ASCII name's char codes directly; only a non-ASCII name is UTF-8 encoded first.
 *
 * @example
 * serviceIdFromName('keystored'); // 0x866cecf1b02a841bn
 * serviceIdFromName('');          // 0xcbf29ce484222325n
 */
export function serviceIdFromName(name: string): bigint {
  let ascii = true;
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  const bytes: ArrayLike<number> | undefined = ascii ? undefined : encoder.encode(name);
  const n = bytes === undefined ? name.length : bytes.length;
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  for (let i = 0; i < n; i++) {
    lo = (lo ^ (bytes === undefined ? name.charCodeAt(i) : bytes[i]!)) >>> 0;
    // lo * 0x1b3 < 2^41 is exact in a double; its high part carries into hi.
    const product = lo * PRIME_LOW;
    const low = product >>> 0;
    hi = (Math.imul(hi, PRIME_LOW) + (product - low) / TWO_32 + (lo << 8)) >>> 0;
    lo = low;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}
