// The PO codec: encode and decode of a request and of a reply, as the README's layout tables give them.
import { FrameReader, FrameWriter } from '@nexus/ipc';
import { decodeFailure } from '../decode-failure.js';
import { claimedName, policyName } from '../policy-name.js';
import { isPrintableAscii } from '../printable-ascii.js';
import { ProtoError } from '../proto-error.js';
import { readGuard } from '../read-guard.js';
import { readMagic } from '../read-magic.js';
import { utf8Cached } from '../utf8-cached.js';
import {
  PO_MAGIC,
  PO_MAX_FRAME,
  PO_MAX_NAME,
  PO_MAX_VERSION_LABEL,
  PO_OP,
  PO_REPLY_BIT,
  PO_STATUS,
  type PolicyDecodeResult,
  type PolicyReply,
  type PolicyReplyHeader,
  type PolicyRequest,
  type PolicyStatus,
  type PolicyVersion,
} from './wire.js';

function writeName(w: FrameWriter, value: string): void {
  const bytes = utf8Cached(value);
  if (bytes.byteLength < 1 || bytes.byteLength > PO_MAX_NAME) {
    throw new ProtoError('BAD_VALUE', `name/capability must be 1..${PO_MAX_NAME} bytes, got ${bytes.byteLength}`);
  }
  w.bytes8(bytes, PO_MAX_NAME);
}

/**
 * Encodes a PO request exactly as the layout table of the README gives it. Throws
 * `ProtoError('BAD_VALUE')` for a name or capability outside 1..48 bytes, a nonce outside u32, an
 * id outside u64 or an image id outside u8.
 *
 * @example
 * encodePolicyRequest({ version: 1, op: PO_OP.CHECK, name: 'keystored' });
 * // [0x50,0x4f,0x01,0x01,0x09,...'keystored']
 */
export function encodePolicyRequest(req: PolicyRequest): Uint8Array {
  return readGuard(() => {
    const w = new FrameWriter(PO_MAX_FRAME).bytes(PO_MAGIC).u8(req.version).u8(req.op);
    if (req.version !== 1) w.u32(req.nonce);
    switch (req.op) {
      case 1:
        writeName(w, req.name);
        break;
      case 2:
        if (req.version === 3) w.u64(req.requesterId).u64(req.targetId);
        else {
          writeName(w, req.requester);
          writeName(w, req.target);
        }
        break;
      case 3:
        if (req.version === 3) w.u64(req.requesterId);
        else writeName(w, req.requester);
        w.u8(req.imageId);
        break;
      case 4:
      case 5:
        w.u64(req.subjectId);
        if (req.version === 3) w.u64(req.targetId);
        writeName(w, req.cap);
        break;
      case 7:
        break;
      default:
        throw new ProtoError('BAD_VALUE', `unknown op ${String((req as { op: unknown }).op)}`);
    }
    return w.finish();
  }, 'BAD_VALUE');
}

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

const STATUSES: readonly number[] = Object.values(PO_STATUS);

/**
 * Encodes a PO reply: v1 `[P,O,1,op|0x80,status,0]` (6 bytes); v2/v3
 * `[P,O,ver,op|0x80,nonce:u32,status,0]` (10 bytes); a v2 VERSION reply appends
 * `len:u8, label[len]` (printable ASCII, 1..96 bytes on ALLOW, `len = 0` otherwise).
 * Throws `ProtoError('BAD_VALUE')` for a field its slot cannot carry.
 *
 * @example
 * encodePolicyReply({ version: 2, op: PO_OP.ROUTE, nonce: 9, status: PO_STATUS.DENY });
 * // [0x50,0x4f,0x02,0x82,0x09,0,0,0,0x01,0x00]
 */
export function encodePolicyReply(reply: PolicyReply): Uint8Array {
  const { version, op, nonce, status, label } = reply;
  if (version !== 1 && version !== 2 && version !== 3) throw new ProtoError('BAD_VALUE', `version ${String(version)}`);
  if (!Number.isInteger(op) || op < 0 || op > 0x7f) throw new ProtoError('BAD_VALUE', `op ${op}`);
  if (!STATUSES.includes(status)) throw new ProtoError('BAD_VALUE', `status ${String(status)}`);
  if ((version === 1) !== (nonce === undefined)) {
    throw new ProtoError('BAD_VALUE', 'a nonce is required on v2/v3 and absent on v1');
  }
  const versionTrailer = version === 2 && op === PO_OP.VERSION;
  const text = label ?? '';
  if (!versionTrailer && label !== undefined) throw new ProtoError('BAD_VALUE', 'label only on a v2 VERSION reply');
  if (versionTrailer && (status === PO_STATUS.ALLOW) !== (text !== '')) {
    throw new ProtoError('BAD_VALUE', 'a VERSION reply carries a label exactly when it is ALLOW');
  }
  if (text !== '' && !isPrintableAscii(text, PO_MAX_VERSION_LABEL)) {
    throw new ProtoError('BAD_VALUE', 'label must be 1..96 printable ASCII bytes');
  }
  return readGuard(() => {
    // Sized exactly (the label is printable ASCII: one byte per char), so the local writer's buffer
    // is the frame and needs no copy.
    const size = (nonce === undefined ? 6 : 10) + (versionTrailer ? 1 + text.length : 0);
    const w = new FrameWriter(size).bytes(PO_MAGIC).u8(version).u8(op | PO_REPLY_BIT);
    if (nonce !== undefined) w.u32(nonce);
    w.u8(status).u8(0);
    if (versionTrailer) w.str8(text, PO_MAX_VERSION_LABEL);
    return w.view();
  }, 'BAD_VALUE');
}

function isStatus(s: number): s is PolicyStatus {
  return s >= PO_STATUS.ALLOW && s <= PO_STATUS.TOO_LARGE;
}

/**
 * Decodes a PO reply and checks it answers `expected`: magic, version, `op | 0x80`, nonce (v2/v3),
 * exact length, status in 0..4, reserved byte 0, and for a VERSION reply a printable label exactly
 * when the status is ALLOW. Throws `ProtoError` (`MALFORMED`, `TOO_LARGE` or `MISMATCH`) otherwise.
 *
 * @example
 * const { status } = decodePolicyReply(frame, { version: 2, op: PO_OP.ROUTE, nonce: 9 });
 * const allowed = status === PO_STATUS.ALLOW;
 */
export function decodePolicyReply(frame: Uint8Array, expected: PolicyReplyHeader): PolicyReply {
  if (frame.byteLength > 12 + PO_MAX_VERSION_LABEL) throw new ProtoError('TOO_LARGE', `${frame.byteLength} bytes`);
  const r = new FrameReader(frame);
  return readGuard(() => {
    if (!readMagic(r, PO_MAGIC)) throw new ProtoError('MALFORMED', 'bad magic');
    const version = r.u8();
    const op = r.u8();
    if (version !== expected.version) throw new ProtoError('MISMATCH', `version ${version}`);
    if (op !== (expected.op | PO_REPLY_BIT)) throw new ProtoError('MISMATCH', `op ${op}`);
    let nonce: number | undefined;
    if (expected.version !== 1) {
      nonce = r.u32();
      if (nonce !== expected.nonce) throw new ProtoError('MISMATCH', 'nonce');
    }
    const status = r.u8();
    if (!isStatus(status)) throw new ProtoError('MALFORMED', `status ${status}`);
    if (r.u8() !== 0) throw new ProtoError('MALFORMED', 'reserved byte');
    let label: string | undefined;
    if (expected.version === 2 && expected.op === PO_OP.VERSION) {
      const text = r.str8(PO_MAX_VERSION_LABEL);
      if ((status === PO_STATUS.ALLOW) !== (text !== '') || (text !== '' && !isPrintableAscii(text, PO_MAX_VERSION_LABEL))) {
        throw new ProtoError('MALFORMED', 'version label');
      }
      if (text !== '') label = text;
    }
    r.end();
    return {
      version: expected.version,
      op: expected.op,
      ...(nonce === undefined ? {} : { nonce }),
      status,
      ...(label === undefined ? {} : { label }),
    };
  });
}
