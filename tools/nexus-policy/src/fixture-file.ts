import type { DecisionReason } from '@nexus/sel';
import { CliError } from './cli-error.js';
import { isServiceName } from './service-name.js';

/** One decision fixture: a query and the decision (and optionally the reason) it must get. */
export interface FixtureCase {
  /** 1-based line of the case's `[[case]]` header. */
  readonly line: number;
  readonly subject: string;
  readonly action: string;
  readonly target: string | undefined;
  readonly expect: 'allow' | 'deny';
  readonly reason: DecisionReason | undefined;
}

/** Bounds of a fixture file, checked before anything is parsed. */
export const FIXTURE_LIMITS: { readonly maxBytes: number; readonly maxCases: number; readonly maxValueBytes: number } =
  Object.freeze({ maxBytes: 1024 * 1024, maxCases: 65_536, maxValueBytes: 1024 });

const KEYS = new Set(['subject', 'action', 'target', 'expect', 'reason']);
const REASONS = new Set<string>(['allow', 'no-rule', 'deny-rule', 'malformed']);
const ESCAPES: Readonly<Record<string, string>> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/**
 * Parses a decision fixture file. The format is the TOML subset fixtures need: `[[case]]` tables of
 * `key = "string"` (basic or literal strings), comments and blank lines. Anything else (an unknown
 * key or table, a value that is not a string, a duplicate or missing key, a bad `expect`/`reason`,
 * a subject that is not a canonical service name) throws `CliError('FIXTURE')` with the file and
 * line.
 *
 * @example
 * parseFixtures('[[case]]\nsubject = "keystored"\naction = "crypto.sign"\nexpect = "allow"\n', 'f.toml');
 * // [{ line: 1, subject: 'keystored', action: 'crypto.sign', target: undefined, expect: 'allow', reason: undefined }]
 */
export function parseFixtures(text: string, file: string): readonly FixtureCase[] {
  if (text.length > FIXTURE_LIMITS.maxBytes || Buffer.byteLength(text) > FIXTURE_LIMITS.maxBytes) {
    throw new CliError('TOO_LARGE', `fixture file is larger than ${FIXTURE_LIMITS.maxBytes} bytes`, { file });
  }
  const fail = (line: number, message: string): never => {
    throw new CliError('FIXTURE', message, { file, line });
  };
  const cases: FixtureCase[] = [];
  let open: { line: number; values: Map<string, string> } | undefined;
  const close = (): void => {
    if (open === undefined) return;
    if (cases.length >= FIXTURE_LIMITS.maxCases) fail(open.line, `more than ${FIXTURE_LIMITS.maxCases} cases`);
    cases.push(toCase(open.line, open.values, fail));
    open = undefined;
  };

  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const source = (lines[index] ?? '').replace(/\r$/, '').trim();
    if (source === '' || source.startsWith('#')) continue;
    if (source.startsWith('[')) {
      if (!/^\[\[\s*case\s*\]\]\s*(#.*)?$/.test(source)) {
        fail(line, `unknown table ${source.split('#')[0]?.trim() ?? ''}: only [[case]] tables are allowed`);
      }
      close();
      open = { line, values: new Map() };
      continue;
    }
    const assignment = /^([A-Za-z0-9_-]+|"[A-Za-z0-9_-]*")\s*=\s*(.*)$/.exec(source);
    if (assignment === null) fail(line, 'expected [[case]] or key = "value"');
    const key = (assignment?.[1] ?? '').replace(/^"|"$/g, '');
    if (open === undefined) fail(line, `key "${key}" outside a [[case]] table`);
    if (!KEYS.has(key)) fail(line, `unknown key "${key}" (expected subject, action, target, expect, reason)`);
    if (open?.values.has(key)) fail(line, `duplicate key "${key}"`);
    const value = readString(assignment?.[2] ?? '');
    if (value === undefined) fail(line, `"${key}" must be a string ("..." or '...')`);
    if (Buffer.byteLength(value ?? '') > FIXTURE_LIMITS.maxValueBytes) {
      fail(line, `"${key}" is longer than ${FIXTURE_LIMITS.maxValueBytes} bytes`);
    }
    open?.values.set(key, value ?? '');
  }
  close();
  return cases;
}

function toCase(line: number, values: ReadonlyMap<string, string>, fail: (line: number, message: string) => never): FixtureCase {
  for (const key of ['subject', 'action', 'expect']) {
    if (!values.has(key)) fail(line, `case is missing "${key}"`);
  }
  const subject = values.get('subject') ?? '';
  const expect = values.get('expect');
  const reason = values.get('reason');
  if (!isServiceName(subject)) fail(line, `subject "${subject}" is not a service name (1..48 bytes of [a-z0-9._-])`);
  if (expect !== 'allow' && expect !== 'deny') fail(line, `expect must be "allow" or "deny", got "${expect}"`);
  if (reason !== undefined && !REASONS.has(reason)) {
    fail(line, `reason must be one of allow, no-rule, deny-rule, malformed; got "${reason}"`);
  }
  return {
    line,
    subject,
    action: values.get('action') ?? '',
    target: values.get('target'),
    expect: expect === 'allow' ? 'allow' : 'deny',
    reason: reason as DecisionReason | undefined,
  };
}

/** Reads one TOML basic or literal string followed by nothing but an optional comment. */
function readString(raw: string): string | undefined {
  const quote = raw[0];
  if (quote !== '"' && quote !== "'") return undefined;
  if (raw.startsWith(quote.repeat(3))) return undefined;
  let value = '';
  let at = 1;
  for (; at < raw.length; at++) {
    const char = raw[at] ?? '';
    if (char === quote) break;
    if (char < ' ' && char !== '\t') return undefined;
    if (quote === "'" || char !== '\\') {
      value += char;
      continue;
    }
    const escape = raw[++at] ?? '';
    const simple = ESCAPES[escape];
    if (simple !== undefined) {
      value += simple;
    } else if (escape === 'u' || escape === 'U') {
      const digits = raw.slice(at + 1, at + 1 + (escape === 'u' ? 4 : 8));
      const code = /^[0-9a-fA-F]+$/.test(digits) ? Number.parseInt(digits, 16) : Number.NaN;
      if (digits.length !== (escape === 'u' ? 4 : 8) || !(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
        return undefined;
      }
      value += String.fromCodePoint(code);
      at += digits.length;
    } else {
      return undefined;
    }
  }
  if (at >= raw.length) return undefined;
  const rest = raw.slice(at + 1).trim();
  return rest === '' || rest.startsWith('#') ? value : undefined;
}
