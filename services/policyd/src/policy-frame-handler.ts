import { AUDIT_LIMITS, type AuditInput, type AuditOp, type AuditOutcome, type AuditReason, type AuditShadow } from '@nexus/audit';
import {
  decodePolicyRequest,
  encodePolicyReply,
  PO_STATUS,
  type PolicyDecodeResult,
  type PolicyReply,
  type PolicyRequest,
  type PolicyStatus,
  type PolicyVersion,
} from '@nexus/proto';
import { TRUSTED_BASE, serviceIdFromName, type DecisionReason, type Policy, type Rule } from '@nexus/sel';
import { OP_QUERY_TABLE } from './op-query-table.js';
import { requestQuery } from './request-query.js';

/** The part of `AuditSink` the decision path uses (a double in tests). */
export interface AuditRecorder {
  record(input: AuditInput): AuditOutcome;
  /** Optional: whether the subject's allows already hold their share of the audit fallback (see `AuditSink.allowShareFull`). */
  allowShareFull?(subjectId: bigint): boolean;
}

/** What a {@link PolicyFrameHandler} is bound to. */
export interface PolicyFrameHandlerOptions {
  /** The compiled policy, fixed for the handler's life. */
  readonly policy: Policy;
  /** Receives exactly one decision record per frame, before the reply exists. */
  readonly sink: AuditRecorder;
  /** Kernel time of the decision, in ns. */
  readonly now: () => bigint;
  /**
   * A candidate policy decided next to the active one (shadow evaluation): it never changes an
   * answer; a record whose shadow decision differs carries it (`AuditShadow`).
   */
  readonly shadow?: Policy;
}

/**
 * The capability a sender needs to ask about a subject other than itself (RFC-0015 §5.4).
 *
 * @example
 * DELEGATE_CAPABILITY; // 'policy.delegate'
 */
export const DELEGATE_CAPABILITY = 'policy.delegate';

const REASON_OF_DECISION: Readonly<Record<DecisionReason, AuditReason>> = {
  allow: 'policy-allow',
  'no-rule': 'no-rule',
  'deny-rule': 'deny-rule',
  malformed: 'malformed',
};

const REASON_OF_STATUS: Readonly<Record<Exclude<PolicyStatus, 0 | 1>, AuditReason>> = {
  [PO_STATUS.MALFORMED]: 'malformed',
  [PO_STATUS.UNSUPPORTED]: 'unsupported',
  [PO_STATUS.TOO_LARGE]: 'too-large',
};

const encoder = new TextEncoder();

/** The header a reply echoes: what could be read of the request, v1 when the version could not be. */
interface ReplyHeader {
  readonly version: PolicyVersion;
  readonly op: number;
  readonly nonce: number | undefined;
}

/** One request judged: its record, and the reply it gets if that record is kept. */
interface Judgement {
  readonly input: AuditInput;
  readonly header: ReplyHeader;
  readonly status: PolicyStatus;
  readonly label?: string;
}

/** `[P,O,1,0x80,DENY,0]`: the answer when even encoding the proper reply failed. */
const LAST_RESORT_DENY: Uint8Array = encodePolicyReply({ version: 1, op: 0, status: PO_STATUS.DENY });

/** The kernel ids of the trusted base: never answered in learn mode, whatever a policy says. */
const TRUSTED_BASE_IDS: ReadonlySet<bigint> = new Set(TRUSTED_BASE.map(serviceIdFromName));

function isPolicyVersion(v: number | undefined): v is PolicyVersion {
  return v === 1 || v === 2 || v === 3;
}

/** `file:line`, keeping the end (the line) when the path would overflow the record's rule field. */
function ruleRef(rule: Rule): string {
  let ref = `${rule.file}:${rule.line}`;
  while (encoder.encode(ref).byteLength > AUDIT_LIMITS.maxRule) ref = ref.slice(1);
  return ref;
}

function opName(op: number | undefined, version: number | undefined): AuditOp {
  if (op === undefined || !isPolicyVersion(version)) return 'unknown';
  return OP_QUERY_TABLE.get(op)?.name ?? 'unknown';
}

function headerOf(request: PolicyRequest): ReplyHeader {
  return { version: request.version, op: request.op, nonce: 'nonce' in request ? request.nonce : undefined };
}

/**
 * policyd's decision core, bound to one policy, one audit sink and the kernel clock. Every PO frame
 * goes through {@link PolicyFrameHandler.handlePolicyFrame}: it is decoded (size first, then header,
 * then body), the subject is settled from the kernel sender id (a payload naming someone else is
 * `identity-mismatch` unless the sender holds `policy.delegate`), the query comes from the op table,
 * exactly one decision record goes to the sink, and only then is the reply built. A record the sink
 * could not keep turns the reply into DENY. Never throws.
 *
 * @example
 * const handler = new PolicyFrameHandler({ policy, sink, now: () => kernel.clock.now() });
 * task.serve(recv, (msg) => handler.handlePolicyFrame(msg.senderServiceId, msg.frame));
 */
export class PolicyFrameHandler {
  readonly #policy: Policy;
  readonly #sink: AuditRecorder;
  readonly #now: () => bigint;
  readonly #ruleRefs: readonly string[];
  readonly #nameOf: (id: bigint) => string | undefined;
  /** Whether any subject is in learn mode: when none is, the decision path never asks. */
  readonly #learns: boolean;
  readonly #shadow: Policy | undefined;

  constructor(options: PolicyFrameHandlerOptions) {
    this.#policy = options.policy;
    this.#shadow = options.shadow;
    this.#learns = options.policy.modes.some((m) => m.mode === 'learn');
    this.#sink = options.sink;
    this.#now = options.now;
    this.#ruleRefs = options.policy.rules.map(ruleRef);
    this.#nameOf = (id) => options.policy.nameOf(id);
  }

  /**
   * Judges one PO frame sent by the task whose kernel id is `senderId`, records the decision, and
   * returns the reply frame (6 bytes on v1, 10 on v2/v3, plus the label on a VERSION reply).
   *
   * @example
   * handler.handlePolicyFrame(serviceIdFromName('keystored'), encodePolicyRequest({ version: 1, op: 1, name: 'keystored' }));
   * // [0x50,0x4f,0x01,0x81,0x00,0x00] when keystored holds ipc.core
   */
  handlePolicyFrame(senderId: bigint, frame: Uint8Array): Uint8Array {
    const timestampNs = this.#now();
    let judged = this.#judge(senderId, frame, timestampNs);
    if (judged.input.decision === 'allow' && this.#shareFull(judged.input.subjectId)) {
      // This subject's allows already hold their share of the audit fallback: one more would take
      // the others' room, so it is answered and recorded DENY (fail closed, and fair).
      const { rule: _rule, ...input } = judged.input;
      judged = { input: { ...input, decision: 'deny', reason: 'audit-unavailable' }, header: judged.header, status: PO_STATUS.DENY };
    }
    let kept = false;
    try {
      kept = this.#sink.record(judged.input).destination !== 'lost';
    } catch {
      // A sink that refuses the record recorded nothing: the same as a lost record.
    }
    const { version, op, nonce } = judged.header;
    // One fixed shape for every reply (absent fields undefined): no per-request hidden classes.
    const reply: PolicyReply = {
      version,
      op,
      nonce: version === 1 ? undefined : (nonce ?? 0),
      status: kept ? judged.status : PO_STATUS.DENY,
      label: kept ? judged.label : undefined,
    };
    try {
      return encodePolicyReply(reply);
    } catch {
      return LAST_RESORT_DENY;
    }
  }

  #shareFull(subjectId: bigint): boolean {
    try {
      return this.#sink.allowShareFull?.(subjectId) === true;
    } catch {
      return true;
    }
  }

  #judge(senderId: bigint, frame: Uint8Array, timestampNs: bigint): Judgement {
    let decoded: PolicyDecodeResult;
    try {
      decoded = decodePolicyRequest(frame);
      if (decoded.ok) return this.#decide(senderId, decoded.request, timestampNs);
    } catch {
      decoded = { ok: false, status: PO_STATUS.MALFORMED, reply: LAST_RESORT_DENY };
    }
    const { version, op, nonce, status } = decoded;
    const header: ReplyHeader = isPolicyVersion(version)
      ? { version, op: (op ?? 0) & 0x7f, nonce: version === 1 ? undefined : (nonce ?? 0) }
      : { version: 1, op: (op ?? 0) & 0x7f, nonce: undefined };
    const input = this.#input(timestampNs, senderId, senderId, undefined, opName(op, version), '', undefined, 'deny', REASON_OF_STATUS[status], undefined, nonce, this.#modeOf(senderId));
    return { input, header, status };
  }

  /**
   * The record input in one fixed shape (absent optional fields are `undefined`, never missing):
   * spreads of conditional objects made every request a new hidden class, the handler's top cost.
   */
  #input(
    timestampNs: bigint,
    senderId: bigint,
    subjectId: bigint,
    claimedId: bigint | undefined,
    op: AuditOp,
    action: string,
    target: string | undefined,
    decision: 'allow' | 'deny',
    reason: AuditReason,
    rule: string | undefined,
    nonce: number | undefined,
    mode: 'learn' | undefined,
    shadow: AuditShadow | undefined = undefined,
  ): AuditInput {
    return {
      timestampNs, subjectId, senderId, claimedId, op, action, target, decision, reason, rule,
      policyVersion: this.#policy.version, nonce: nonce === undefined ? undefined : BigInt(nonce), mode, shadow,
    };
  }

  /**
   * The shadow policy's decision of the same question with the same op semantics (delegation under
   * the candidate, then the candidate's `decide`), or `undefined` when there is no shadow or it
   * decides the same (decision and reason). Its answer is never used: only recorded.
   */
  #shadowOf(senderId: bigint, claimedId: bigint | undefined, action: string, target: string | undefined, decision: 'allow' | 'deny', reason: AuditReason): AuditShadow | undefined {
    const shadow = this.#shadow;
    if (shadow === undefined) return undefined;
    let subject = senderId;
    let shadowReason: AuditReason;
    if (claimedId !== undefined && claimedId !== senderId && !shadow.decide({ subject: senderId, action: DELEGATE_CAPABILITY }).allow) {
      shadowReason = 'identity-mismatch';
    } else {
      if (claimedId !== undefined) subject = claimedId;
      shadowReason = REASON_OF_DECISION[shadow.decide({ subject, action, target }).reason];
    }
    const shadowDecision = shadowReason === 'policy-allow' ? 'allow' : 'deny';
    if (shadowDecision === decision && shadowReason === reason) return undefined;
    return { decision: shadowDecision, reason: shadowReason, policyVersion: shadow.version };
  }

  /**
   * The record mode of a subject: `learn` only when the policy puts it in learn mode and it is not
   * part of the trusted base (the compiler refuses that already; this holds even if it did not).
   */
  #modeOf(subjectId: bigint): 'learn' | undefined {
    if (!this.#learns || TRUSTED_BASE_IDS.has(subjectId)) return undefined;
    return this.#policy.modeOf(subjectId) === 'learn' ? 'learn' : undefined;
  }

  #decide(senderId: bigint, request: PolicyRequest, timestampNs: bigint): Judgement {
    const q = requestQuery(request, this.#nameOf);
    const header = headerOf(request);
    const op = q.spec.name;
    let subjectId = senderId;
    if (q.claimedId !== undefined && q.claimedId !== senderId) {
      if (!this.#policy.decide({ subject: senderId, action: DELEGATE_CAPABILITY }).allow) {
        const shadow = q.action === undefined ? undefined : this.#shadowOf(senderId, q.claimedId, q.action, q.target, 'deny', 'identity-mismatch');
        const input = this.#input(timestampNs, senderId, senderId, q.claimedId, op, q.action ?? '', q.target, 'deny', 'identity-mismatch', undefined, q.nonce, this.#modeOf(senderId), shadow);
        return { input, header, status: PO_STATUS.DENY };
      }
      subjectId = q.claimedId;
    }
    if (q.action === undefined) {
      // VERSION puts no question to the policy: anyone with a channel to policyd may read the label.
      const input = this.#input(timestampNs, senderId, subjectId, q.claimedId, op, '', q.target, 'allow', 'policy-allow', undefined, q.nonce, this.#modeOf(subjectId));
      return { input, header, status: PO_STATUS.ALLOW, label: this.#policy.version };
    }
    const decision = this.#policy.decide({ subject: subjectId, action: q.action, target: q.target });
    const rule = decision.rule === undefined ? undefined : this.#ruleRefs[decision.rule.id];
    const mode = this.#modeOf(subjectId);
    let status: PolicyStatus = decision.allow ? PO_STATUS.ALLOW : decision.reason === 'malformed' ? PO_STATUS.MALFORMED : PO_STATUS.DENY;
    if (mode === 'learn' && decision.reason === 'no-rule' && !this.#restricted(subjectId, q.action, q.target)) {
      // A would-deny: answered ALLOW, recorded as computed (deny, no-rule) with mode=learn.
      status = PO_STATUS.ALLOW;
    }
    const recorded = decision.allow ? 'allow' : 'deny';
    const reason = REASON_OF_DECISION[decision.reason];
    const shadow = this.#shadow === undefined ? undefined : this.#shadowOf(senderId, q.claimedId, q.action, q.target, recorded, reason);
    const input = this.#input(
      timestampNs, senderId, subjectId, q.claimedId, op, q.action, q.target, recorded, reason, rule, q.nonce, mode, shadow,
    );
    return { input, header, status };
  }

  /** Whether `[restrict]` keeps the target from untargeted grants: such a target stays DENY in learn mode. */
  #restricted(subjectId: bigint, action: string, target: string | undefined): boolean {
    return target !== undefined && this.#policy.explain({ subject: subjectId, action, target }).restricted;
  }
}
