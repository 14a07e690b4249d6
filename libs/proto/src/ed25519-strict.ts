/** The field prime p = 2^255 − 19. */
const P = (1n << 255n) - 19n;
/** The prime order L of the Ed25519 base point's subgroup. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

/** Curve constant d = −121665 / 121666 (mod p). */
const D = mod(-121665n * pow(121666n, P - 2n));
/** √−1 (mod p), used to finish the square root of the decompression. */
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

function littleEndian(bytes: Uint8Array, from: number, to: number): bigint {
  let n = 0n;
  for (let i = to - 1; i >= from; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

interface Affine {
  readonly x: bigint;
  readonly y: bigint;
}

/**
 * Decompresses a 32-byte point encoding per RFC 8032 §5.1.3, strictly: `undefined` for y ≥ p,
 * for a y with no point on the curve, and for x = 0 with the sign bit set (the second,
 * non-canonical encoding of (0, ±1)).
 */
function decompress(bytes: Uint8Array): Affine | undefined {
  const top = bytes[31] ?? 0;
  const sign = top >> 7;
  const y = littleEndian(bytes, 0, 31) | (BigInt(top & 0x7f) << 248n);
  if (y >= P) return undefined;
  const y2 = (y * y) % P;
  const u = mod(y2 - 1n);
  const v = mod(D * y2 + 1n);
  const v3 = (v * v * v) % P;
  let x = (u * v3 * pow(u * v3 * v3 * v, (P - 5n) / 8n)) % P;
  const vx2 = (v * x * x) % P;
  if (vx2 === mod(-u)) x = (x * SQRT_M1) % P;
  else if (vx2 !== u) return undefined;
  if (x === 0n && sign === 1) return undefined;
  if (Number(x & 1n) !== sign) x = P - x;
  return { x, y };
}

function double(p: Affine): Affine {
  // Twisted Edwards (a = −1) addition of p with itself; the formula is complete on Ed25519.
  const xy = (p.x * p.y) % P;
  const t = (D * xy * xy) % P;
  const x = (2n * xy * pow(1n + t, P - 2n)) % P;
  const y = (mod(p.y * p.y + p.x * p.x) * pow(mod(1n - t), P - 2n)) % P;
  return { x, y };
}

/**
 * Whether 32 bytes are a canonical encoding of an Ed25519 point of large order: y < p, the point
 * is on the curve, x = 0 is not encoded with the sign bit set, and [8]P is not the identity (so it
 * is none of the 8 small-order points, whose keys and R values make a signature verify for any
 * message). A strict verifier refuses a public key or an R for which this is `false`.
 *
 * @example
 * isStrictEd25519Point(Uint8Array.of(1, ...new Uint8Array(31))); // false: the identity
 */
export function isStrictEd25519Point(encoding: Uint8Array): boolean {
  if (encoding.length !== 32) return false;
  const point = decompress(encoding);
  if (point === undefined) return false;
  const eight = double(double(double(point)));
  return !(eight.x === 0n && eight.y === 1n);
}

/**
 * Whether a 64-byte Ed25519 signature `R | S` is strictly encoded: R passes
 * {@link isStrictEd25519Point} and S < L (RFC 8032 §5.1.7 requires S < L; a larger S is malleable).
 *
 * @example
 * isStrictEd25519Signature(new Uint8Array(64)); // false: R = (0, …) has order 4
 */
export function isStrictEd25519Signature(signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  if (littleEndian(signature, 32, 64) >= L) return false;
  return isStrictEd25519Point(signature.subarray(0, 32));
}
