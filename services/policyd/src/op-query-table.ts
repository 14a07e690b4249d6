import { PO_OP } from '@nexus/proto';

/** How the target of a policy query is taken from a request. */
export type OpTargetSource =
  /** No target. */
  | 'none'
  /** The target service: its name (v1/v2), or its id resolved through the policy (v3). */
  | 'service'
  /** The image id, as a decimal string. */
  | 'image';

/** How the action of a policy query is taken from a request. */
export type OpActionSource =
  /** A fixed capability. */
  | { readonly fixed: string }
  /** The capability the frame names. */
  | 'frame-cap'
  /** No policy query at all (VERSION answers with the version label). */
  | 'none';

/** The audit name of a PO op (RFC-0015 §4.6 `op`, minus `unknown` / `none`). */
export type PolicydOpName = 'check' | 'route' | 'exec' | 'check_cap' | 'check_cap_delegated' | 'version';

/** One row of {@link OP_QUERY_TABLE}: what a PO op asks the policy. */
export interface OpQuerySpec {
  readonly name: PolicydOpName;
  readonly action: OpActionSource;
  readonly target: OpTargetSource;
}

/**
 * RFC-0015 §5.3 as data: PO op code → the query policyd puts to the policy. Which service may do
 * what (e.g. "bundlemgrd may not route to execd") lives in `recipes/policy/`, never here.
 *
 * @example
 * OP_QUERY_TABLE.get(PO_OP.EXEC); // { name: 'exec', action: { fixed: 'proc.spawn' }, target: 'image' }
 */
export const OP_QUERY_TABLE: ReadonlyMap<number, OpQuerySpec> = new Map<number, OpQuerySpec>([
  [PO_OP.CHECK, { name: 'check', action: { fixed: 'ipc.core' }, target: 'none' }],
  [PO_OP.ROUTE, { name: 'route', action: { fixed: 'ipc.route' }, target: 'service' }],
  [PO_OP.EXEC, { name: 'exec', action: { fixed: 'proc.spawn' }, target: 'image' }],
  [PO_OP.CHECK_CAP, { name: 'check_cap', action: 'frame-cap', target: 'none' }],
  [PO_OP.CHECK_CAP_DELEGATED, { name: 'check_cap_delegated', action: 'frame-cap', target: 'service' }],
  [PO_OP.VERSION, { name: 'version', action: 'none', target: 'none' }],
]);
