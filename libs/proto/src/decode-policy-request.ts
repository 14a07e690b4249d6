import { FrameReader } from '@nexus/ipc';
import { encodePolicyReply } from './encode-policy-reply.js';
import { decodeFailure } from './decode-failure.js';
import {
  PO_MAGIC,
  PO_MAX_FRAME,
  PO_MAX_NAME,
  PO_OP,
  PO_STATUS,
  type PolicyDecodeResult,
  type PolicyRequest,
  type PolicyStatus,
  type PolicyVersion,
} from './po-wire.js';
import { claimedName, policyName } from './policy-name.js';
import { ProtoError } from './proto-error.js';
import { readGuard } from './read-guard.js';
import { readMagic } from './read-magic.js';

function readRaw(r: FrameReader): string {
  const name = readGuard(() => r.str8(PO_MAX_NAME));
  if (name === '') throw new ProtoError('MALFORMED', 'empty name or capability');
  return name;
}

/** A capability or target: normalized as the policy normalizes it, in the policy alphabet. */
function readName(r: FrameReader): string {
  return policyName(readRaw(r));
}

/** A claimed requester: kept as sent (it is hashed), in the policy alphabet. */
function readClaim(r: FrameReader): string {
  return claimedName(readRaw(r));
}

function readBody(r: FrameReader, version: PolicyVersion, op: number, nonce: number): PolicyRequest | undefined {
  const u64 = (): bigint => readGuard(() => r.u64());
  const u8 = (): number => readGuard(() => r.u8());
  if (version === 3) {
    if (op === PO_OP.ROUTE) return { version, op, nonce, requesterId: u64(), targetId: u64() };
    if (op === PO_OP.EXEC) return { version, op, nonce, requesterId: u64(), imageId: u8() };
    if (op === PO_OP.CHECK_CAP_DELEGATED) return { version, op, nonce, subjectId: u64(), targetId: u64(), cap: readName(r) };
    return undefined;
  }
  if (version === 1) {
    if (op === PO_OP.CHECK) return { version, op, name: readClaim(r) };
    if (op === PO_OP.ROUTE) return { version, op, requester: readClaim(r), target: readName(r) };
    if (op === PO_OP.EXEC) return { version, op, requester: readClaim(r), imageId: u8() };
    if (op === PO_OP.CHECK_CAP) return { version, op, subjectId: u64(), cap: readName(r) };
    if (op === PO_OP.CHECK_CAP_DELEGATED) return { version, op, subjectId: u64(), cap: readName(r) };
    return undefined;
  }
  if (op === PO_OP.ROUTE) return { version, op, nonce, requester: readClaim(r), target: readName(r) };
  if (op === PO_OP.EXEC) return { version, op, nonce, requester: readClaim(r), imageId: u8() };
  if (op === PO_OP.CHECK_CAP_DELEGATED) return { version, op, nonce, subjectId: u64(), cap: readName(r) };
  if (op === PO_OP.VERSION) return { version, op, nonce };
  return undefined;
}

function isVersion(v: number): v is PolicyVersion {
  return v === 1 || v === 2 || v === 3;
}

/**
 * Decodes a PO request as policyd receives it. Never throws: a bad frame is an expected outcome
 * for a server, so it comes back as `{ ok: false, status, reply }` where `reply` is the frame to
 * answer with (the version, op and nonce that could be read are echoed). Checks, in order: size
 * (> 512 → TOO_LARGE, before anything is parsed), magic and header (→ MALFORMED), version and op
 * (→ UNSUPPORTED), then the body with exact lengths (→ MALFORMED).
 *
 * @example
 * const res = decodePolicyRequest(msg.frame);
 * if (!res.ok) return res.reply; // already audited by the caller as malformed / unsupported
 * decide(res.request);
 */
export function decodePolicyRequest(frame: Uint8Array): PolicyDecodeResult {
  let version: number | undefined;
  let op: number | undefined;
  let nonce: number | undefined;
  const fail = (status: Exclude<PolicyStatus, 0 | 1>): PolicyDecodeResult => {
    const replyVersion: PolicyVersion = version !== undefined && isVersion(version) ? version : 1;
    const replyOp = (op ?? 0) & 0x7f;
    const reply = encodePolicyReply({
      version: replyVersion,
      op: replyOp,
      ...(replyVersion === 1 ? {} : { nonce: nonce ?? 0 }),
      status,
    });
    return decodeFailure(status, { version, op, nonce }, reply);
  };

  if (frame.byteLength > PO_MAX_FRAME) return fail(PO_STATUS.TOO_LARGE);
  const r = new FrameReader(frame);
  if (r.remaining < 4) return fail(PO_STATUS.MALFORMED);
  if (!readMagic(r, PO_MAGIC)) return fail(PO_STATUS.MALFORMED);
  version = r.u8();
  op = r.u8();
  if (!isVersion(version)) return fail(PO_STATUS.UNSUPPORTED);
  const v: PolicyVersion = version;
  if (v !== 1) {
    if (r.remaining < 4) return fail(PO_STATUS.MALFORMED);
    nonce = r.u32();
  }
  try {
    const request = readBody(r, v, op, nonce ?? 0);
    if (request === undefined) return fail(PO_STATUS.UNSUPPORTED);
    readGuard(() => r.end());
    return { ok: true, request };
  } catch {
    // Only ProtoError can arrive here; anything else would be a bug, and a bug must deny too.
    return fail(PO_STATUS.MALFORMED);
  }
}
