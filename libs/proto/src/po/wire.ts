/** The two magic bytes `PO` that open every policyd frame. */
export const PO_MAGIC: Uint8Array = Uint8Array.of(0x50, 0x4f);

/** Largest PO frame policyd receives; anything longer is `TOO_LARGE` before any parsing. */
export const PO_MAX_FRAME = 512;

/** Names and capabilities carry 1..48 bytes. */
export const PO_MAX_NAME = 48;

/** Longest label a VERSION reply carries (printable ASCII). */
export const PO_MAX_VERSION_LABEL = 96;

/** Bit set on the op byte of every reply. */
export const PO_REPLY_BIT = 0x80;

/** PO protocol versions: 1 (no correlation), 2 (u32 nonce), 3 (nonce + 64-bit ids). */
export type PolicyVersion = 1 | 2 | 3;

/**
 * PO op codes. 6 (ABI-profile fetch) and 0x7f (unauthenticated log probe) of the original are
 * deliberately absent; VERSION=7 is new (v2 only).
 *
 * @example
 * PO_OP.CHECK_CAP_DELEGATED; // 5
 */
export const PO_OP: {
  readonly CHECK: 1;
  readonly ROUTE: 2;
  readonly EXEC: 3;
  readonly CHECK_CAP: 4;
  readonly CHECK_CAP_DELEGATED: 5;
  readonly VERSION: 7;
} = Object.freeze({ CHECK: 1, ROUTE: 2, EXEC: 3, CHECK_CAP: 4, CHECK_CAP_DELEGATED: 5, VERSION: 7 });

/** One PO op code. */
export type PolicyOp = (typeof PO_OP)[keyof typeof PO_OP];

/**
 * PO reply status codes (TOO_LARGE is new relative to the original).
 *
 * @example
 * reply.status === PO_STATUS.ALLOW;
 */
export const PO_STATUS: {
  readonly ALLOW: 0;
  readonly DENY: 1;
  readonly MALFORMED: 2;
  readonly UNSUPPORTED: 3;
  readonly TOO_LARGE: 4;
} = Object.freeze({ ALLOW: 0, DENY: 1, MALFORMED: 2, UNSUPPORTED: 3, TOO_LARGE: 4 });

/** One PO status code. */
export type PolicyStatus = (typeof PO_STATUS)[keyof typeof PO_STATUS];

/** v1 CHECK: does `name` (which must be the caller) hold `ipc.core`? */
export interface PolicyCheckRequest {
  readonly version: 1;
  readonly op: 1;
  readonly name: string;
}

/** v1/v2 ROUTE by name (v2 carries a nonce). */
export type PolicyRouteRequest =
  | { readonly version: 1; readonly op: 2; readonly requester: string; readonly target: string }
  | { readonly version: 2; readonly op: 2; readonly nonce: number; readonly requester: string; readonly target: string };

/** v3 ROUTE by 64-bit service ids. */
export interface PolicyRouteByIdRequest {
  readonly version: 3;
  readonly op: 2;
  readonly nonce: number;
  readonly requesterId: bigint;
  readonly targetId: bigint;
}

/** v1/v2 EXEC by requester name (v2 carries a nonce). */
export type PolicyExecRequest =
  | { readonly version: 1; readonly op: 3; readonly requester: string; readonly imageId: number }
  | { readonly version: 2; readonly op: 3; readonly nonce: number; readonly requester: string; readonly imageId: number };

/** v3 EXEC by 64-bit requester id. */
export interface PolicyExecByIdRequest {
  readonly version: 3;
  readonly op: 3;
  readonly nonce: number;
  readonly requesterId: bigint;
  readonly imageId: number;
}

/** v1 CHECK_CAP: does `subjectId` hold `cap`? */
export interface PolicyCheckCapRequest {
  readonly version: 1;
  readonly op: 4;
  readonly subjectId: bigint;
  readonly cap: string;
}

/**
 * v1/v2 CHECK_CAP_DELEGATED: a service asks about one of its callers. v3 adds the 64-bit id of the
 * service the capability is asked for (`cap@target`), resolved to a name through the policy.
 */
export type PolicyCheckCapDelegatedRequest =
  | { readonly version: 1; readonly op: 5; readonly subjectId: bigint; readonly cap: string }
  | { readonly version: 2; readonly op: 5; readonly nonce: number; readonly subjectId: bigint; readonly cap: string }
  | {
      readonly version: 3;
      readonly op: 5;
      readonly nonce: number;
      readonly subjectId: bigint;
      readonly targetId: bigint;
      readonly cap: string;
    };

/** v2 VERSION: asks policyd for its version label. */
export interface PolicyVersionRequest {
  readonly version: 2;
  readonly op: 7;
  readonly nonce: number;
}

/**
 * Every PO request layout, discriminated by `op` and then `version`.
 *
 * @example
 * if (req.op === PO_OP.ROUTE && req.version === 3) use(req.requesterId);
 */
export type PolicyRequest =
  | PolicyCheckRequest
  | PolicyRouteRequest
  | PolicyRouteByIdRequest
  | PolicyExecRequest
  | PolicyExecByIdRequest
  | PolicyCheckCapRequest
  | PolicyCheckCapDelegatedRequest
  | PolicyVersionRequest;

/** The header fields of a PO reply (nonce required on v2/v3). */
export interface PolicyReplyHeader {
  readonly version: PolicyVersion;
  readonly op: number;
  readonly nonce?: number;
}

/**
 * A PO reply. `label` is present only on a VERSION reply with status ALLOW.
 *
 * @example
 * const reply: PolicyReply = { version: 2, op: 2, nonce: 7, status: PO_STATUS.DENY };
 */
export interface PolicyReply extends PolicyReplyHeader {
  readonly status: PolicyStatus;
  readonly label?: string;
}

/**
 * What a server gets from {@link decodePolicyRequest}: a request, or the status to answer with,
 * the header fields that could be read, and the ready-made reply frame.
 */
export type PolicyDecodeResult =
  | { readonly ok: true; readonly request: PolicyRequest }
  | {
      readonly ok: false;
      readonly status: Exclude<PolicyStatus, 0 | 1>;
      readonly version?: number;
      readonly op?: number;
      readonly nonce?: number;
      readonly reply: Uint8Array;
    };

