import { BoundedMemo, hexU64, serviceIdFromName } from '@nexus/ipc';
import type { PolicyRequest } from '@nexus/proto';
import { OP_QUERY_TABLE, type OpQuerySpec } from './op-query-table.js';
import { PolicydError } from './policyd-error.js';

/** What a decoded PO request asks, before identity is settled. */
export interface RequestQuery {
  readonly spec: OpQuerySpec;
  /** The identity the payload names (requester or subject), if the layout carries one. */
  readonly claimedId: bigint | undefined;
  /** The capability asked; `undefined` when the op puts no question to the policy (VERSION). */
  readonly action: string | undefined;
  readonly target: string | undefined;
  readonly nonce: number | undefined;
}

/**
 * Renders a v3 target id the policy does not know. `0x` + 16 hex digits is a valid target string, so
 * the query is judged (not malformed) and only untargeted rules can apply to it: the policy compiler
 * refuses that spelling as a name, so no targeted rule can match it.
 */
function unknownTarget(id: bigint): string {
  return hexU64(id);
}

/** Bounds the name cache: at most this many names (each ≤ the PO name bound). */
const MAX_CACHED_NAMES = 256;
// Clients ask under their own few names again and again; hashing one (UTF-8 encode + FNV-1a) costs
// more than the decision itself, so the ids of recent names are kept (bounded, cleared when full).
const ids = new BoundedMemo(MAX_CACHED_NAMES, serviceIdFromName);

function idOf(name: string): bigint {
  return ids.get(name);
}

function claimOf(request: PolicyRequest): bigint | undefined {
  if ('name' in request) return idOf(request.name);
  if ('requester' in request) return idOf(request.requester);
  if ('requesterId' in request) return request.requesterId;
  if ('subjectId' in request) return request.subjectId;
  return undefined;
}

function targetOf(spec: OpQuerySpec, request: PolicyRequest, nameOf: (id: bigint) => string | undefined): string | undefined {
  if (spec.target === 'image') return 'imageId' in request ? String(request.imageId) : undefined;
  if (spec.target === 'none') return undefined;
  if ('target' in request) return request.target;
  if ('targetId' in request) return nameOf(request.targetId) ?? unknownTarget(request.targetId);
  return undefined;
}

/**
 * Maps a decoded PO request to its policy query through {@link OP_QUERY_TABLE}: the action, the
 * target, the identity the payload claims (names are hashed to ids exactly as the kernel hashes task
 * names) and the nonce; throws `PolicydError('UNMAPPED_OP')` only for an op missing from the table
 * (a build defect, never input). A v3 target id the policy does not know becomes `0x<16 hex>`, a target that
 * no targeted rule names, so only untargeted rules of the subject decide it.
 *
 * @example
 * requestQuery({ version: 1, op: 3, requester: 'execd', imageId: 7 }, policy.nameOf);
 * // { spec: { name: 'exec', ... }, claimedId: 0x7b6096126000c028n, action: 'proc.spawn', target: '7', nonce: undefined }
 */
export function requestQuery(request: PolicyRequest, nameOf: (id: bigint) => string | undefined): RequestQuery {
  const spec = OP_QUERY_TABLE.get(request.op);
  if (spec === undefined) throw new PolicydError('UNMAPPED_OP', `no query for op ${request.op}`);
  let action: string | undefined;
  if (spec.action === 'frame-cap') {
    if (!('cap' in request)) throw new PolicydError('UNMAPPED_OP', `op ${request.op} carries no capability`);
    action = request.cap;
  } else if (spec.action !== 'none') action = spec.action.fixed;
  return {
    spec,
    claimedId: claimOf(request),
    action,
    target: targetOf(spec, request, nameOf),
    nonce: 'nonce' in request ? request.nonce : undefined,
  };
}
