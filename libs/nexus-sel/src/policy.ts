/**
 * Whether a rule grants or refuses.
 *
 * @example
 * policy.rules.filter((rule) => rule.effect === 'deny');
 */
export type RuleEffect = 'allow' | 'deny';

/**
 * One compiled rule: a pattern granted to (or denied to) one service, with where it was written.
 *
 * @example
 * const rule: Rule | undefined = policy.decide(query).rule;
 * rule && `${rule.file}:${rule.line}: ${rule.effect} ${rule.service} ${rule.pattern}`;
 */
export interface Rule {
  /** Index of the rule in `Policy.rules` (canonical order). */
  readonly id: number;
  readonly file: string;
  /** 1-based line of the pattern's string literal. */
  readonly line: number;
  /** 1-based column of the pattern's string literal. */
  readonly column: number;
  readonly effect: RuleEffect;
  /** Normalized service name; `*` (every service) only on deny rules. */
  readonly service: string;
  /** The normalized pattern, e.g. `ipc.route@execd`. */
  readonly pattern: string;
  /** The capability part: exact (`ipc.route`) or a dotted prefix wildcard (`crypto.*`). */
  readonly capability: string;
  /** The target after `@`, if any. */
  readonly target: string | undefined;
}

/**
 * Why a decision came out as it did. Only `allow` allows.
 *
 * @example
 * const reason: DecisionReason = policy.decide(query).reason; // 'no-rule'
 */
export type DecisionReason = 'allow' | 'no-rule' | 'deny-rule' | 'malformed';

/**
 * The result of `Policy.decide`: frozen, shared between equal decisions.
 *
 * @example
 * const d: Decision = policy.decide(query);
 * if (!d.allow) return deny();
 */
export interface Decision {
  readonly allow: boolean;
  readonly reason: DecisionReason;
  /** The determining rule; absent for `no-rule` and `malformed`. */
  readonly rule?: Rule;
}

/**
 * One question to the policy. `subject` is the kernel service id (u64), never a name from a payload.
 *
 * @example
 * const query: Query = { subject: msg.senderServiceId, action: 'ipc.route', target: 'execd' };
 */
export interface Query {
  readonly subject: bigint;
  /** The capability asked for, e.g. `crypto.sign`. */
  readonly action: string;
  /** The object of the capability (a service name, an image id), if any. */
  readonly target?: string | undefined;
}

/**
 * A `[restrict]` entry: targets of a capability that only a grant naming the target covers.
 *
 * @example
 * policy.restricted; // [{ capability: 'ipc.route', targets: ['execd'], file: 'authority.toml', line: 26, column: 1 }]
 */
export interface Restriction {
  /** Exact capability or dotted prefix wildcard. */
  readonly capability: string;
  /** Normalized targets, sorted. */
  readonly targets: readonly string[];
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * What `Policy.explain` reports: the decision and the rules that were weighed for it.
 *
 * @example
 * policy.explain(query).considered.map((rule) => rule.pattern); // ['ipc.route@execd', 'ipc.route']
 */
export interface Explanation {
  readonly decision: Decision;
  /** The normalized action, or `undefined` for a malformed query. */
  readonly action: string | undefined;
  /** The normalized target, if any. */
  readonly target: string | undefined;
  /** Whether `[restrict]` keeps untargeted allow rules from covering this action and target. */
  readonly restricted: boolean;
  /**
   * Rules of the subject and of `*` whose capability part matches the action (whatever their target),
   * most specific first, at most `POLICY_LIMITS.maxExplainRules`.
   */
  readonly considered: readonly Rule[];
  /** True when more rules matched than `considered` holds. */
  readonly truncated: boolean;
  /** For a default deny (`no-rule`), what comes closest to an allow; otherwise `undefined`. */
  readonly nearMisses: NearMisses | undefined;
}

/**
 * A grant another service holds for the queried action (and target).
 *
 * @example
 * const holder: Holder = { service: 'keystored', rule };
 */
export interface Holder {
  readonly service: string;
  readonly rule: Rule;
}

/**
 * Why a plain grant of the subject does not reach the queried target.
 *
 * @example
 * hint.needed; // 'ipc.route@execd'
 */
export interface RestrictedHint {
  /** The subject's untargeted grant that would allow the action without the target. */
  readonly grant: Rule;
  /** The `[restrict]` entry that lists the target, when one can be named. */
  readonly restriction: Restriction | undefined;
  /** The pattern a grant needs to name to cover the target, e.g. `ipc.route@execd`. */
  readonly needed: string;
}

/**
 * The closest things to an allow for a query that nothing allows (a default deny): what
 * `Policy.explain` of a `no-rule` deny carries as `nearMisses`.
 *
 * @example
 * policy.explain(query).nearMisses?.holders.map((h) => h.service); // ['keystored']
 */
export interface NearMisses {
  /** The subject's own grants, closest capability name first. */
  readonly grants: readonly Rule[];
  /** Other services that would be allowed the same action and target, with the deciding rule. */
  readonly holders: readonly Holder[];
  readonly holdersTruncated: boolean;
  readonly restricted: RestrictedHint | undefined;
}

/**
 * One policy source file, as read from `recipes/policy/*.toml`.
 *
 * @example
 * const file: PolicyFile = { path: 'base.toml', text: '[allow]\nvfsd = ["ipc.core"]\n' };
 */
export interface PolicyFile {
  readonly path: string;
  readonly text: string;
}

/**
 * One entry of a `[capabilities]` table: an exact capability (`crypto.sign`) or a family
 * (`debug.*`, declaring every capability under `debug.`), with its one-line description and where
 * it is declared.
 *
 * @example
 * policy.capabilities[0]; // { capability: 'audit.read', description: 'read the audit journal', file, line, column }
 */
export interface CapabilityDeclaration {
  readonly capability: string;
  readonly description: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * How policyd answers a service: `enforce` (the default) answers every decision as computed;
 * `learn` answers a default deny (`no-rule`) ALLOW and records it as a would-deny (every record of
 * the service carries the mode). A `[deny]` rule, an identity mismatch, a malformed or unsupported
 * request and a restricted target stay DENY in either mode.
 *
 * @example
 * const mode: ServiceMode = policy.modeOf(msg.senderServiceId); // 'enforce'
 */
export type ServiceMode = 'enforce' | 'learn';

/**
 * One entry of a `[mode]` table, with where it is written.
 *
 * @example
 * policy.modes[0]; // { service: 'demo.testsvc', mode: 'learn', file: 'learn.toml', line: 2, column: 1 }
 */
export interface ModeEntry {
  /** Normalized service name; never one of the trusted base in learn mode. */
  readonly service: string;
  readonly mode: ServiceMode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * A compiled, frozen policy. `decide` is pure and total: it never throws, and a query it cannot read
 * is `{ allow: false, reason: 'malformed' }`.
 *
 * @example
 * const policy = compilePolicy([{ path: 'base.toml', text: '[allow]\nkeystored = ["crypto.sign"]' }]);
 * policy.decide({ subject: serviceIdFromName('keystored'), action: 'crypto.sign' }).allow; // true
 */
export interface Policy {
  /** `sha256:<64 hex>` over the canonical policy (independent of files, order, comments, layout). */
  readonly version: string;
  /** Every rule, in canonical order (file, line, column). */
  readonly rules: readonly Rule[];
  /** Every service named as a key in `[allow]` / `[deny]`, sorted. */
  readonly services: readonly string[];
  /** Every `[restrict]` entry, sorted by capability then file. */
  readonly restricted: readonly Restriction[];
  /**
   * The declared vocabulary (`[capabilities]`), sorted by capability. Empty when no file declares
   * one; otherwise every rule's and restriction's capability is declared (see `CapabilityDeclaration`).
   */
  readonly capabilities: readonly CapabilityDeclaration[];
  /** Every `[mode]` entry, sorted by service (one per service). */
  readonly modes: readonly ModeEntry[];
  /** The mode of a subject: `learn` only when a `[mode]` entry says so, else `enforce`. */
  modeOf(subject: bigint): ServiceMode;
  /** Decides a query: deny by default, any applicable deny beats every allow. */
  decide(query: Query): Decision;
  /** The decision plus the rules weighed for it (bounded). */
  explain(query: Query): Explanation;
  /** The name of a kernel id, for names the policy knows (services and targets). */
  nameOf(id: bigint): string | undefined;
}
