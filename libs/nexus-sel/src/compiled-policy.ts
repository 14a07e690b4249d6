import { U64_MAX } from '@nexus/ipc';
import { nearMissesOf } from './analysis/near-misses.js';
import { hasEmptySegment } from './has-empty-segment.js';
import { normalizeName } from './normalize-name.js';
import type { CapabilityDeclaration, Decision, Explanation, ModeEntry, Policy, Query, Restriction, Rule, ServiceMode } from './policy.js';
import { POLICY_LIMITS } from './policy-limits.js';
import { SubjectTable } from './subject-table.js';
import { extendsPrefix, wildcardPrefix } from './wildcard.js';

const MALFORMED: Decision = Object.freeze({ allow: false, reason: 'malformed' });
const NO_RULE: Decision = Object.freeze({ allow: false, reason: 'no-rule' });
// Any exact capability outranks every wildcard (prefixes are at most 47 bytes).
const EXACT_RANK = 64;

/** A rule prepared for matching: its specificity and its (shared, frozen) decision. */
interface Entry {
  readonly rule: Rule;
  readonly deny: boolean;
  /** For a wildcard, the prefix an action must strictly extend; `undefined` for an exact capability. */
  readonly prefix: string | undefined;
  readonly target: string | undefined;
  /** Higher is more specific: exact > longer prefix > shorter prefix, then targeted > untargeted. */
  readonly rank: number;
  readonly decision: Decision;
}

interface RuleIndex {
  readonly exact: Map<string, Entry[]>;
  readonly wildcard: Entry[];
}

interface Subject {
  readonly index: RuleIndex;
  /** Untargeted decisions for every exact capability the subject's own rules name. */
  readonly table: Map<string, Decision>;
  /** Whether the subject has wildcard rules of its own, so `#others` may not hold for it. */
  readonly ownWildcards: boolean;
}

/**
 * What the compiler hands over: validated, normalized, sorted, frozen.
 *
 * @example
 * new CompiledPolicy({ version, rules, services, restricted, names, idOf: serviceIdFromName });
 */
export interface CompiledPolicyParts {
  readonly version: string;
  readonly rules: readonly Rule[];
  readonly services: readonly string[];
  readonly restricted: readonly Restriction[];
  readonly capabilities: readonly CapabilityDeclaration[];
  /** One entry per service, sorted; absent means none. */
  readonly modes?: readonly ModeEntry[];
  readonly names: ReadonlyMap<bigint, string>;
  readonly idOf: (name: string) => bigint;
}

function newIndex(): RuleIndex {
  return { exact: new Map(), wildcard: [] };
}

function addToIndex(index: RuleIndex, entry: Entry): void {
  if (entry.prefix !== undefined) {
    index.wildcard.push(entry);
    return;
  }
  const list = index.exact.get(entry.rule.capability);
  if (list === undefined) index.exact.set(entry.rule.capability, [entry]);
  else list.push(entry);
}

function toEntry(rule: Rule): Entry {
  const prefix = wildcardPrefix(rule.capability);
  const deny = rule.effect === 'deny';
  return {
    rule,
    deny,
    prefix,
    target: rule.target,
    rank: (prefix === undefined ? EXACT_RANK : prefix.length) * 2 + (rule.target === undefined ? 0 : 1),
    decision: Object.freeze(
      deny ? { allow: false, reason: 'deny-rule', rule } : { allow: true, reason: 'allow', rule },
    ),
  };
}

/**
 * The evaluator behind `compilePolicy`: indexes rules per subject and precomputes, per subject, the
 * untargeted decision of every exact capability its rules name, and per capability the decision of
 * every subject whose own rules do not name it. So the common query is one `SubjectTable` probe (no
 * BigInt hashing) and one or two string-keyed `Map` lookups, with no normalization and no allocation,
 * whether it is allowed or denied. Everything else (non-canonical spelling, targets,
 * wildcards) takes the general path, which allocates nothing either. Not re-exported by the barrel:
 * the only way to build one is `compilePolicy`.
 *
 * @example
 * const policy: Policy = new CompiledPolicy(parts); // what buildPolicy does after validation
 */
export class CompiledPolicy implements Policy {
  readonly version: string;
  readonly rules: readonly Rule[];
  readonly services: readonly string[];
  readonly restricted: readonly Restriction[];
  readonly capabilities: readonly CapabilityDeclaration[];
  readonly modes: readonly ModeEntry[];
  /** The ids of the learn-mode services (trusted base excluded by the compiler). */
  readonly #learning: ReadonlySet<bigint>;
  readonly #names: ReadonlyMap<bigint, string>;
  readonly #subjects: SubjectTable<Subject>;
  readonly #star: RuleIndex = newIndex();
  /**
   * For every exact capability any rule names (canonical keys), the untargeted decision of a subject
   * whose own rules do not touch it: only `*` rules can apply, so it is the same for every such subject.
   */
  readonly #others = new Map<string, Decision>();
  readonly #restrictExact = new Map<string, ReadonlySet<string>>();
  readonly #restrictWildcard: { readonly prefix: string; readonly targets: ReadonlySet<string> }[] = [];

  constructor(parts: CompiledPolicyParts) {
    this.version = parts.version;
    this.rules = parts.rules;
    this.services = parts.services;
    this.restricted = parts.restricted;
    this.capabilities = parts.capabilities;
    this.modes = parts.modes ?? Object.freeze([]);
    this.#learning = new Set(this.modes.filter((m) => m.mode === 'learn').map((m) => parts.idOf(m.service)));
    this.#names = parts.names;
    for (const restriction of parts.restricted) this.#addRestriction(restriction);
    const indexes = new Map<string, RuleIndex>();
    for (const rule of parts.rules) {
      if (rule.service === '*') {
        addToIndex(this.#star, toEntry(rule));
        continue;
      }
      let index = indexes.get(rule.service);
      if (index === undefined) indexes.set(rule.service, (index = newIndex()));
      addToIndex(index, toEntry(rule));
    }
    const named = new Set(this.#star.exact.keys());
    const subjects: [bigint, Subject][] = [];
    for (const [service, index] of indexes) {
      const table = new Map<string, Decision>();
      for (const capability of index.exact.keys()) {
        table.set(capability, this.#evaluate(index, capability, undefined));
        named.add(capability);
      }
      subjects.push([parts.idOf(service), { index, table, ownWildcards: index.wildcard.length > 0 }]);
    }
    this.#subjects = new SubjectTable(subjects);
    for (const capability of named) this.#others.set(capability, this.#evaluate(undefined, capability, undefined));
    Object.freeze(this);
  }

  decide(query: Query): Decision {
    if (typeof query !== 'object' || query === null) return MALFORMED;
    let subject: unknown;
    let action: unknown;
    let target: unknown;
    try {
      ({ subject, action, target } = query);
    } catch {
      return MALFORMED;
    }
    if (typeof subject !== 'bigint') return MALFORMED;
    const known = this.#subjects.get(subject);
    if (known === undefined && (subject < 0n || subject > U64_MAX)) return MALFORMED;
    if (target === undefined && typeof action === 'string') {
      // Table keys are canonical, so a hit proves the action needed no normalization.
      const decision = this.#untargeted(known, action);
      if (decision !== undefined) return decision;
    }
    const normalAction = normalizeName(action, POLICY_LIMITS.maxNameBytes);
    const normalTarget = target === undefined ? undefined : normalizeName(target, POLICY_LIMITS.maxTargetBytes);
    // Only off the fast path: table keys are compiled capabilities, which never have empty segments.
    if (normalAction === undefined || hasEmptySegment(normalAction)) return MALFORMED;
    if (target !== undefined && normalTarget === undefined) return MALFORMED;
    const decision = normalTarget === undefined ? this.#untargeted(known, normalAction) : undefined;
    return decision ?? this.#evaluate(known?.index, normalAction, normalTarget);
  }

  explain(query: Query): Explanation {
    const decision = this.decide(query);
    if (decision.reason === 'malformed') {
      return Object.freeze({
        decision,
        action: undefined,
        target: undefined,
        restricted: false,
        considered: Object.freeze([]),
        truncated: false,
        nearMisses: undefined,
      });
    }
    const action = normalizeName(query.action, POLICY_LIMITS.maxNameBytes) ?? '';
    const target =
      query.target === undefined ? undefined : normalizeName(query.target, POLICY_LIMITS.maxTargetBytes);
    const matching: Entry[] = [];
    for (const index of [this.#subjects.get(query.subject)?.index, this.#star]) {
      if (index === undefined) continue;
      matching.push(...(index.exact.get(action) ?? []));
      for (const entry of index.wildcard) if (extendsPrefix(action, entry.prefix ?? '')) matching.push(entry);
    }
    matching.sort((a, b) => b.rank - a.rank || a.rule.id - b.rule.id);
    const restricted = target !== undefined && this.#isRestricted(action, target);
    return Object.freeze({
      decision,
      action,
      target,
      restricted,
      considered: Object.freeze(matching.slice(0, POLICY_LIMITS.maxExplainRules).map((entry) => entry.rule)),
      truncated: matching.length > POLICY_LIMITS.maxExplainRules,
      nearMisses: decision.reason === 'no-rule' ? nearMissesOf(this, query, restricted) : undefined,
    });
  }

  modeOf(subject: bigint): ServiceMode {
    return typeof subject === 'bigint' && this.#learning.has(subject) ? 'learn' : 'enforce';
  }

  nameOf(id: bigint): string | undefined {
    return typeof id === 'bigint' ? this.#names.get(id) : undefined;
  }

  /**
   * The precomputed untargeted decision of `action` for `known`, or `undefined` when no exact rule names
   * `action` (it may not even be canonical) or a wildcard rule of the subject's own may apply.
   */
  #untargeted(known: Subject | undefined, action: string): Decision | undefined {
    const hit = known?.table.get(action);
    if (hit !== undefined) return hit;
    return known === undefined || !known.ownWildcards ? this.#others.get(action) : undefined;
  }

  #addRestriction(restriction: Restriction): void {
    const { capability } = restriction;
    const prefix = wildcardPrefix(capability);
    if (prefix !== undefined) {
      this.#restrictWildcard.push({ prefix, targets: new Set(restriction.targets) });
      return;
    }
    const merged = new Set(this.#restrictExact.get(capability));
    for (const target of restriction.targets) merged.add(target);
    this.#restrictExact.set(capability, merged);
  }

  #isRestricted(action: string, target: string): boolean {
    if (this.#restrictExact.get(action)?.has(target) === true) return true;
    for (const { prefix, targets } of this.#restrictWildcard) {
      if (extendsPrefix(action, prefix) && targets.has(target)) return true;
    }
    return false;
  }

  #evaluate(index: RuleIndex | undefined, action: string, target: string | undefined): Decision {
    let best = this.#pickFrom(this.#star, action, target, true, false, undefined);
    if (index !== undefined) best = this.#pickFrom(index, action, target, true, false, best);
    if (best !== undefined) return best.decision;
    if (index === undefined) return NO_RULE;
    const restricted = target !== undefined && this.#isRestricted(action, target);
    best = this.#pickFrom(index, action, target, false, restricted, undefined);
    return best === undefined ? NO_RULE : best.decision;
  }

  #pickFrom(
    index: RuleIndex,
    action: string,
    target: string | undefined,
    deny: boolean,
    restricted: boolean,
    best: Entry | undefined,
  ): Entry | undefined {
    const exact = index.exact.get(action);
    if (exact !== undefined) best = pick(exact, action, target, deny, restricted, best);
    return pick(index.wildcard, action, target, deny, restricted, best);
  }
}

function pick(
  entries: readonly Entry[],
  action: string,
  target: string | undefined,
  deny: boolean,
  restricted: boolean,
  best: Entry | undefined,
): Entry | undefined {
  for (const entry of entries) {
    if (entry.deny !== deny) continue;
    if (entry.prefix !== undefined && !extendsPrefix(action, entry.prefix)) continue;
    if (entry.target === undefined ? restricted : entry.target !== target) continue;
    if (best === undefined || entry.rank > best.rank || (entry.rank === best.rank && entry.rule.id < best.rule.id)) {
      best = entry;
    }
  }
  return best;
}
