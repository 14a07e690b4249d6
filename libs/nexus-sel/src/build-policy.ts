import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse, TomlError } from 'smol-toml';
import { CompiledPolicy } from './compiled-policy.js';
import { didYouMean } from './did-you-mean.js';
import { normalizeName } from './normalize-name.js';
import { parsePattern } from './parse-pattern.js';
import type { CapabilityDeclaration, ModeEntry, Policy, PolicyFile, Restriction, Rule, RuleEffect, ServiceMode } from './policy.js';
import { PolicyError, type PolicyErrorCode } from './policy-error.js';
import { POLICY_LIMITS } from './policy-limits.js';
import { POLICY_SCHEMA } from './policy-schema.js';
import { policyVersion } from './policy-version.js';
import { SourceIndex } from './source-index.js';
import { TRUSTED_BASE } from './trusted-base.js';
import { wildcardPrefix } from './wildcard.js';

/**
 * How policyd writes a v3 target id the policy does not know (`0x` + 16 hex digits). A policy that
 * could name a service or target that way would let a rule match every id rendered to it, so the
 * spelling is not a name.
 */
const POLICY_TABLES = ['allow', 'deny', 'restrict', 'capabilities', 'mode'];
const UNKNOWN_ID_SPELLING = /^0x[0-9a-f]{16}$/;

type Table = Record<string, string[]>;
interface PolicyDocument {
  allow?: Table;
  deny?: Table;
  restrict?: Table;
  capabilities?: Record<string, string>;
  mode?: Record<string, ServiceMode>;
}

/** A name as first written, for collision errors that do not depend on file order. */
interface NameSite {
  readonly name: string;
  readonly file: string;
  readonly text: string;
  readonly offset: number;
}

let validateDocument: ValidateFunction<PolicyDocument> | undefined;

function schemaValidator(): ValidateFunction<PolicyDocument> {
  validateDocument ??= new Ajv({ allErrors: false }).compile<PolicyDocument>(POLICY_SCHEMA);
  return validateDocument;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function utf8Length(text: string, stopAfter: number): number {
  let bytes = 0;
  for (let at = 0; at < text.length && bytes <= stopAfter; at++) {
    const code = text.charCodeAt(at);
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdfff ? 2 : 3;
  }
  return bytes;
}

function excerpt(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

function schemaPath(error: ErrorObject): (string | number)[] {
  const path: (string | number)[] = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const extra = (error.params as { additionalProperty?: unknown }).additionalProperty;
  if (typeof extra === 'string') path.push(extra);
  return path;
}

/** Parses, checks and normalizes one file into rules, restrictions and the names it mentions. */
class FileCompiler {
  readonly rules: Omit<Rule, 'id'>[] = [];
  readonly restrictions: Restriction[] = [];
  readonly names: NameSite[] = [];
  readonly services: string[] = [];
  readonly capabilities: CapabilityDeclaration[] = [];
  readonly modes: ModeEntry[] = [];
  readonly #file: PolicyFile;
  readonly path: string;
  readonly text: string;
  readonly #source: SourceIndex;

  constructor(file: PolicyFile, document: PolicyDocument) {
    this.#file = file;
    this.path = file.path;
    this.text = file.text;
    this.#source = new SourceIndex(file.text);
    this.#rules('allow', document.allow ?? {});
    this.#rules('deny', document.deny ?? {});
    this.#restrict(document.restrict ?? {});
    this.#declare(document.capabilities ?? {});
    this.#modes(document.mode ?? {});
  }

  #modes(table: Readonly<Record<string, ServiceMode>>): void {
    for (const [key, mode] of Object.entries(table)) {
      const service = this.#name(key, POLICY_LIMITS.maxNameBytes, ['mode', key], 'service name');
      if (mode === 'learn' && TRUSTED_BASE.includes(service)) {
        this.#fail('TRUSTED_BASE_MODE', `${excerpt(key)} is part of the trusted base (${TRUSTED_BASE.join(', ')}) and can never be in learn mode`, ['mode', key]);
      }
      const { line, column } = this.#source.positionOf(['mode', key]);
      this.modes.push({ service, mode, file: this.#file.path, line, column });
    }
  }

  #declare(table: Readonly<Record<string, string>>): void {
    for (const [key, description] of Object.entries(table)) {
      const parsed = parsePattern(key);
      if (typeof parsed === 'string' || parsed.target !== undefined) {
        const why = typeof parsed === 'string' ? parsed : 'a [capabilities] key is a capability, without "@"';
        this.#fail('BAD_PATTERN', `${excerpt(key)}: ${why}`, ['capabilities', key]);
      }
      const { line, column } = this.#source.positionOf(['capabilities', key]);
      this.capabilities.push({ capability: parsed.capability, description, file: this.#file.path, line, column });
    }
  }

  #fail(code: PolicyErrorCode, detail: string, path: readonly (string | number)[]): never {
    throw new PolicyError(code, detail, {
      file: this.#file.path,
      text: this.#file.text,
      offset: this.#source.offsetOf(path),
    });
  }

  #name(raw: string, maxBytes: number, path: readonly (string | number)[], what: string): string {
    const name = normalizeName(raw, maxBytes);
    if (name === undefined) {
      this.#fail('BAD_NAME', `${what} ${excerpt(raw)} is not 1..${maxBytes} bytes of [a-z0-9._-]`, path);
    }
    if (UNKNOWN_ID_SPELLING.test(name)) {
      this.#fail('BAD_NAME', `${what} ${excerpt(raw)} is reserved: 0x + 16 hex digits spells a service id unknown to the policy`, path);
    }
    this.names.push({ name, file: this.#file.path, text: this.#file.text, offset: this.#source.offsetOf(path) ?? 0 });
    return name;
  }

  #rules(effect: RuleEffect, table: Table): void {
    for (const [key, patterns] of Object.entries(table)) {
      let service: string;
      if (key.trim() === '*') {
        if (effect === 'allow') {
          this.#fail('WILDCARD_SERVICE', '"*" may only be a [deny] key: nothing is allowed to every service', [
            effect,
            key,
          ]);
        }
        service = '*';
      } else {
        service = this.#name(key, POLICY_LIMITS.maxNameBytes, [effect, key], 'service name');
        this.services.push(service);
      }
      patterns.forEach((raw, index) => {
        const parsed = parsePattern(raw);
        if (typeof parsed === 'string') this.#fail('BAD_PATTERN', `${excerpt(raw)}: ${parsed}`, [effect, key, index]);
        if (parsed.target !== undefined) this.#name(parsed.target, POLICY_LIMITS.maxTargetBytes, [effect, key, index], 'target');
        const { line, column } = this.#source.positionOf([effect, key, index]);
        this.rules.push({
          file: this.#file.path,
          line,
          column,
          effect,
          service,
          pattern: parsed.pattern,
          capability: parsed.capability,
          target: parsed.target,
        });
      });
    }
  }

  #restrict(table: Table): void {
    for (const [key, targets] of Object.entries(table)) {
      const parsed = parsePattern(key);
      if (typeof parsed === 'string' || parsed.target !== undefined) {
        const why = typeof parsed === 'string' ? parsed : 'a [restrict] key is a capability, without "@"';
        this.#fail('BAD_PATTERN', `${excerpt(key)}: ${why}`, ['restrict', key]);
      }
      const names = targets.map((raw, index) =>
        this.#name(raw, POLICY_LIMITS.maxTargetBytes, ['restrict', key, index], 'target'),
      );
      const { line, column } = this.#source.positionOf(['restrict', key]);
      this.restrictions.push({
        capability: parsed.capability,
        targets: names,
        file: this.#file.path,
        line,
        column,
      });
    }
  }
}

function readFile(file: PolicyFile): FileCompiler {
  if (file.text.length > POLICY_LIMITS.maxFileBytes || utf8Length(file.text, POLICY_LIMITS.maxFileBytes) > POLICY_LIMITS.maxFileBytes) {
    throw new PolicyError('FILE_TOO_LARGE', `a policy file may hold at most ${POLICY_LIMITS.maxFileBytes} bytes`, {
      file: file.path,
    });
  }
  let document: unknown;
  try {
    document = parse(file.text);
  } catch (cause) {
    const where = cause instanceof TomlError ? { line: cause.line, column: cause.column } : {};
    const detail = cause instanceof Error ? cause.message.split('\n')[0] ?? '' : String(cause);
    throw new PolicyError('TOML_SYNTAX', detail, { file: file.path, text: file.text, ...where, cause });
  }
  const validate = schemaValidator();
  if (!validate(document)) {
    const error = validate.errors?.[0];
    const path = error === undefined ? [] : schemaPath(error);
    const unknown = error?.keyword === 'additionalProperties';
    const where = path.length === 0 ? 'document' : path.join('.');
    const near = unknown && path.length === 1 ? didYouMean(String(path[0]), POLICY_TABLES) : undefined;
    const hint = near === undefined ? '' : ` (did you mean [${near}]?)`;
    const detail = unknown ? `unknown table or key ${where}${hint}` : `${where} ${error?.message ?? 'is invalid'}`;
    throw new PolicyError('SCHEMA', `${detail} (tables: allow, deny, restrict with arrays of strings; capabilities with descriptions; mode with "enforce" or "learn")`, {
      file: file.path,
      text: file.text,
      offset: new SourceIndex(file.text).offsetOf(path),
    });
  }
  return new FileCompiler(file, document);
}

function checkInput(files: unknown): asserts files is readonly PolicyFile[] {
  if (!Array.isArray(files)) {
    throw new PolicyError('SCHEMA', 'expected an array of { path, text }', { file: '<input>' });
  }
  if (files.length > POLICY_LIMITS.maxFiles) {
    throw new PolicyError('TOO_MANY_RULES', `at most ${POLICY_LIMITS.maxFiles} policy files`, { file: '<input>' });
  }
  for (const file of files as unknown[]) {
    const { path, text } = (file ?? {}) as Partial<Record<string, unknown>>;
    if (typeof path !== 'string' || typeof text !== 'string') {
      throw new PolicyError('SCHEMA', 'every policy file needs a string path and text', {
        file: typeof path === 'string' ? path : '<input>',
      });
    }
  }
}

function checkIds(sites: readonly NameSite[], idOf: (name: string) => bigint): Map<bigint, string> {
  const first = new Map<string, NameSite>();
  for (const site of sites) {
    const seen = first.get(site.name);
    if (seen === undefined || compareStrings(site.file, seen.file) < 0 || (site.file === seen.file && site.offset < seen.offset)) {
      first.set(site.name, site);
    }
  }
  const names = new Map<bigint, string>();
  for (const name of [...first.keys()].sort(compareStrings)) {
    const id = idOf(name);
    const other = names.get(id);
    if (other !== undefined) {
      const site = first.get(name) as NameSite;
      throw new PolicyError('ID_COLLISION', `${excerpt(name)} and ${excerpt(other)} share service id 0x${id.toString(16).padStart(16, '0')}`, site);
    }
    names.set(id, name);
  }
  return names;
}

function compareRules(a: Omit<Rule, 'id'>, b: Omit<Rule, 'id'>): number {
  return (
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareStrings(a.effect, b.effect) ||
    compareStrings(a.service, b.service) ||
    compareStrings(a.pattern, b.pattern)
  );
}

function mergeRestrictions(entries: readonly Restriction[]): Restriction[] {
  const merged = new Map<string, Restriction>();
  for (const entry of entries) {
    const key = `${entry.file}\u0000${entry.capability}`;
    const seen = merged.get(key);
    const keep = seen === undefined || entry.line < seen.line || (entry.line === seen.line && entry.column < seen.column) ? entry : seen;
    const targets = new Set([...(seen?.targets ?? []), ...entry.targets]);
    merged.set(key, { ...keep, targets: [...targets].sort(compareStrings) });
  }
  return [...merged.values()]
    .sort((a, b) => compareStrings(a.capability, b.capability) || compareStrings(a.file, b.file) || a.line - b.line)
    .map((entry) => Object.freeze({ ...entry, targets: Object.freeze(entry.targets) }));
}

/**
 * `compilePolicy` with the id function as a parameter, so tests can force an id collision. Not
 * re-exported by the barrel.
 *
 * @example
 * buildPolicy(files, serviceIdFromName);
 */
export function buildPolicy(files: readonly PolicyFile[], idOf: (name: string) => bigint): Policy {
  checkInput(files);
  const compiled: FileCompiler[] = [];
  let count = 0;
  for (const file of [...files].sort((a, b) => compareStrings(a.path, b.path) || compareStrings(a.text, b.text))) {
    const result = readFile(file);
    count += result.rules.length + result.restrictions.reduce((sum, r) => sum + r.targets.length, 0);
    if (count > POLICY_LIMITS.maxRules) {
      throw new PolicyError('TOO_MANY_RULES', `at most ${POLICY_LIMITS.maxRules} rules and restricted targets in all`, {
        file: file.path,
      });
    }
    compiled.push(result);
  }
  const names = checkIds(compiled.flatMap((file) => file.names), idOf);
  const unique = new Map<string, Omit<Rule, 'id'>>();
  for (const rule of compiled.flatMap((file) => file.rules)) {
    unique.set(`${rule.file}\u0000${rule.line}\u0000${rule.column}\u0000${rule.effect}\u0000${rule.service}\u0000${rule.pattern}`, rule);
  }
  const rules = Object.freeze([...unique.values()].sort(compareRules).map((rule, id) => Object.freeze({ id, ...rule })));
  const restricted = Object.freeze(mergeRestrictions(compiled.flatMap((file) => file.restrictions)));
  const services = new Set(compiled.flatMap((file) => file.services));
  const capabilities = vocabulary(compiled.flatMap((file) => file.capabilities));
  if (capabilities.length > 0) checkDeclared(capabilities, compiled, rules, restricted);
  const modes = mergeModes(compiled);
  return new CompiledPolicy({
    version: policyVersion(rules, restricted, modes),
    modes,
    rules,
    services: Object.freeze([...services].sort(compareStrings)),
    restricted,
    capabilities,
    names,
    idOf,
  });
}

/**
 * One mode per service over all files. The same mode written twice is one entry (the first in file
 * order); two different modes for one service are `MODE_CONFLICT` at the later site, whatever the
 * file order, because which one wins would be a guess.
 */
function mergeModes(compiled: readonly FileCompiler[]): readonly ModeEntry[] {
  const first = new Map<string, ModeEntry>();
  const texts = new Map(compiled.map((file) => [file.path, file.text]));
  for (const entry of compiled.flatMap((file) => file.modes)) {
    const seen = first.get(entry.service);
    if (seen === undefined) {
      first.set(entry.service, Object.freeze(entry));
      continue;
    }
    if (seen.mode !== entry.mode) {
      throw new PolicyError('MODE_CONFLICT', `${excerpt(entry.service)} is "${entry.mode}" here and "${seen.mode}" at ${seen.file}:${seen.line}:${seen.column}`, {
        file: entry.file,
        text: texts.get(entry.file),
        line: entry.line,
        column: entry.column,
      });
    }
  }
  return Object.freeze([...first.values()].sort((a, b) => compareStrings(a.service, b.service)));
}

/** The declarations, one per capability (the first in file order wins), sorted and frozen. */
function vocabulary(entries: readonly CapabilityDeclaration[]): readonly CapabilityDeclaration[] {
  const first = new Map<string, CapabilityDeclaration>();
  for (const entry of entries) if (!first.has(entry.capability)) first.set(entry.capability, Object.freeze({ ...entry }));
  return Object.freeze([...first.values()].sort((a, b) => compareStrings(a.capability, b.capability)));
}

/**
 * Whether a rule's capability part is in the vocabulary: an exact capability declared exactly or
 * under a declared family; a wildcard `P.*` declared as a family, under one, or covering at least
 * one declared name (so `crypto.*` is fine when `crypto.sign` is declared).
 */
function isDeclared(capability: string, declared: ReadonlySet<string>, families: readonly string[]): boolean {
  if (declared.has(capability)) return true;
  const prefix = wildcardPrefix(capability);
  const name = prefix ?? capability;
  if (families.some((family) => name.length > family.length && name.startsWith(family))) return true;
  return prefix !== undefined && [...declared].some((d) => d.length > prefix.length && d.startsWith(prefix));
}

function checkDeclared(
  capabilities: readonly CapabilityDeclaration[],
  compiled: readonly FileCompiler[],
  rules: readonly Rule[],
  restricted: readonly Restriction[],
): void {
  const declared = new Set(capabilities.map((c) => c.capability));
  const families = capabilities.flatMap((c) => wildcardPrefix(c.capability) ?? []);
  const texts = new Map(compiled.map((file) => [file.path, file.text]));
  for (const site of [...rules, ...restricted]) {
    if (isDeclared(site.capability, declared, families)) continue;
    const near = didYouMean(site.capability, [...declared]);
    throw new PolicyError(
      'UNKNOWN_CAPABILITY',
      `${excerpt(site.capability)} is not a declared capability${near === undefined ? '' : ` (did you mean ${excerpt(near)}?)`}: declare it in a [capabilities] table with a one-line description`,
      { file: site.file, text: texts.get(site.file), line: site.line, column: site.column },
    );
  }
}
