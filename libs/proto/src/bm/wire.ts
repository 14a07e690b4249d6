import { SERVICE_NAME_MAX_BYTES } from '@nexus/ipc';

/** The two magic bytes `BM` that open every bundlemgrd frame. */
export const BM_MAGIC: Uint8Array = Uint8Array.of(0x42, 0x4d);

/** The only BM protocol version. */
export const BM_VERSION = 1;

/** Largest BM request frame; bundlemgrd's endpoint refuses anything longer. */
export const BM_MAX_REQUEST = 8192;

/** Largest BM reply frame; a LIST that would not fit is cut short and says so (TOO_LARGE). */
export const BM_MAX_REPLY = 4096;

/** Longest manifest an INSTALL carries, in bytes. */
export const BM_MAX_MANIFEST = 4096;

/** Size of the detached Ed25519 signature over the manifest bytes. */
export const BM_SIGNATURE_BYTES = 64;

/** Longest bundle (service) name, in bytes: the kernel's service-name bound. */
export const BM_MAX_NAME: 48 = SERVICE_NAME_MAX_BYTES;

/** Longest bundle version, in bytes. */
export const BM_MAX_VERSION = 32;

/** Bit set on the op byte of every reply. */
export const BM_REPLY_BIT = 0x80;

/**
 * BM op codes.
 *
 * @example
 * BM_OP.QUERY; // 2
 */
export const BM_OP: { readonly INSTALL: 1; readonly QUERY: 2; readonly LIST: 3 } = Object.freeze({
  INSTALL: 1,
  QUERY: 2,
  LIST: 3,
});

/** One BM op code. */
export type BundleOp = (typeof BM_OP)[keyof typeof BM_OP];

/**
 * BM reply status codes (the value); `BundleStatus` is also the type of one code.
 *
 * @example
 * reply.status === BundleStatus.EXCESS_CAPABILITIES;
 */
export const BundleStatus: {
  readonly OK: 0;
  readonly NOT_FOUND: 1;
  readonly MALFORMED: 2;
  readonly TOO_LARGE: 3;
  readonly UNSUPPORTED: 4;
  readonly DENY: 5;
  readonly BAD_SIGNATURE: 6;
  readonly EXCESS_CAPABILITIES: 7;
  readonly ALREADY_INSTALLED: 8;
  readonly FULL: 9;
} = Object.freeze({
  OK: 0,
  NOT_FOUND: 1,
  MALFORMED: 2,
  TOO_LARGE: 3,
  UNSUPPORTED: 4,
  DENY: 5,
  BAD_SIGNATURE: 6,
  EXCESS_CAPABILITIES: 7,
  ALREADY_INSTALLED: 8,
  FULL: 9,
});

/** One BM status code. */
export type BundleStatus = (typeof BundleStatus)[keyof typeof BundleStatus];

/**
 * Every BM request. The manifest stays bytes: the signature covers exactly these bytes.
 *
 * @example
 * const req: BundleRequest = { op: BM_OP.QUERY, name: 'demo.testsvc' };
 */
export type BundleRequest =
  | { readonly op: 1; readonly manifest: Uint8Array; readonly signature: Uint8Array }
  | { readonly op: 2; readonly name: string }
  | { readonly op: 3 };

/**
 * One row of a LIST reply.
 *
 * @example
 * const row: BundleSummary = { imageId: 1, name: 'demo.testsvc', version: '1.0.0' };
 */
export interface BundleSummary {
  readonly imageId: number;
  readonly name: string;
  readonly version: string;
}

/** INSTALL reply: the image id is 1..255 when OK, 0 otherwise. */
export interface BundleInstallReply {
  readonly op: 1;
  readonly status: BundleStatus;
  readonly imageId: number;
}

/** QUERY reply: OK with the image id and version, or NOT_FOUND (and the like) with neither. */
export interface BundleQueryReply {
  readonly op: 2;
  readonly status: BundleStatus;
  readonly imageId: number;
  readonly version: string;
}

/**
 * LIST reply: OK with every installed bundle, or TOO_LARGE with the rows (in image-id order) that
 * fit the reply bound, so a cut-short list is never presented as complete.
 */
export interface BundleListReply {
  readonly op: 3;
  readonly status: BundleStatus;
  readonly bundles: readonly BundleSummary[];
}

/**
 * Every BM reply, by op.
 *
 * @example
 * const reply: BundleReply = { op: BM_OP.INSTALL, status: BundleStatus.OK, imageId: 1 };
 */
export type BundleReply = BundleInstallReply | BundleQueryReply | BundleListReply;

/**
 * What a server gets from `decodeBundleRequest`: a request, or the status to answer with and the
 * ready-made reply frame.
 */
export type BundleDecodeResult =
  | { readonly ok: true; readonly request: BundleRequest }
  | { readonly ok: false; readonly status: 2 | 3 | 4; readonly reply: Uint8Array };

/**
 * Whether `s` is one of the BM status codes.
 *
 * @internal
 * @example
 * isBundleStatus(9); // true
 */
export function isBundleStatus(s: number): s is BundleStatus {
  return Number.isInteger(s) && s >= BundleStatus.OK && s <= BundleStatus.FULL;
}

/** A bundle version: `MAJOR.MINOR.PATCH` with an optional `-pre` / `+build` tail, ≤ 32 bytes. */
export const BUNDLE_VERSION_PATTERN: RegExp = /^(?=.{5,32}$)(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-+][0-9A-Za-z.+-]+)?$/;
