import { isServiceName, SERVICE_NAME_MAX_BYTES } from '@nexus/ipc';
import type { DecisionReason } from '@nexus/sel';
import { parse, TomlError } from 'smol-toml';
import { CliError } from './cli-error.js';

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

/** Bounds of a fixture file and of one `test` run, checked before anything is parsed. */
export const FIXTURE_LIMITS: {
  readonly maxBytes: number;
  readonly maxCases: number;
  readonly maxValueBytes: number;
  readonly maxFiles: number;
  readonly maxRunCases: number;
} = Object.freeze({ maxBytes: 1024 * 1024, maxCases: 65_536, maxValueBytes: 1024, maxFiles: 256, maxRunCases: 262_144 });

const KEYS = new Set(['subject', 'action', 'target', 'expect', 'reason']);
const REASONS = new Set<string>(['allow', 'no-rule', 'deny-rule', 'malformed']);
const CASE_HEADER = /^\s*\[\[\s*case\s*\]\]/;

/**
 * Parses a decision fixture file: TOML (parsed by smol-toml) whose only table is an array of
 * `[[case]]` tables with string values `subject`, `action`, `expect`, and optionally `target` and
 * `reason`. Anything else (a TOML syntax error, an unknown key or table, a value that is not a
 * string, a missing key, a bad `expect`/`reason`, a subject that is not a canonical service name)
 * throws `CliError('FIXTURE')` with the file and line.
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
  let document: Record<string, unknown>;
  try {
    document = parse(text);
  } catch (cause) {
    const line = cause instanceof TomlError ? cause.line : 1;
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : 'invalid TOML';
    throw new CliError('FIXTURE', `TOML syntax: ${reason}`, { file, line, cause });
  }

  const lines = text.split('\n');
  const headers = lines.flatMap((source, index) => (CASE_HEADER.test(source) ? [index + 1] : []));
  // The key's own line inside [from, to) when it can be found, else the table's first line.
  const lineOf = (key: string, from: number, to: number): number => {
    const assignment = new RegExp(`^\\s*("?)${key}\\1\\s*=`);
    for (let line = from; line < to && line <= lines.length; line++) {
      if (assignment.test(lines[line - 1] ?? '')) return line;
    }
    return from;
  };

  for (const key of Object.keys(document)) {
    if (key !== 'case') fail(lineOf(key, 1, headers[0] ?? lines.length + 1), `unknown key or table "${key}": only [[case]] tables are allowed`);
  }
  const tables = document['case'] ?? [];
  if (!Array.isArray(tables)) fail(lineOf('\\[case\\]|case', 1, lines.length + 1), '"case" must be an array of tables: write [[case]]');
  const list = tables as unknown[];
  if (list.length > FIXTURE_LIMITS.maxCases) fail(headers[FIXTURE_LIMITS.maxCases] ?? 1, `more than ${FIXTURE_LIMITS.maxCases} cases`);
  if (list.length !== headers.length) fail(1, 'every case must be written as a [[case]] table');
  if (list.length === 0) fail(1, 'no [[case]] table: a fixture file without a case would pass while proving nothing');

  return list.map((table, index) => {
    const from = headers[index] ?? 1;
    const to = headers[index + 1] ?? lines.length + 1;
    if (typeof table !== 'object' || table === null || Array.isArray(table)) fail(from, 'a case must be a table');
    const values = new Map<string, string>();
    for (const [key, value] of Object.entries(table as Record<string, unknown>)) {
      const line = lineOf(key, from, to);
      if (!KEYS.has(key)) fail(line, `unknown key "${key}" (expected subject, action, target, expect, reason)`);
      if (typeof value !== 'string') fail(line, `"${key}" must be a string`);
      if (Buffer.byteLength(value as string) > FIXTURE_LIMITS.maxValueBytes) {
        fail(line, `"${key}" is longer than ${FIXTURE_LIMITS.maxValueBytes} bytes`);
      }
      values.set(key, value as string);
    }
    return toCase(from, values, fail);
  });
}

function toCase(line: number, values: ReadonlyMap<string, string>, fail: (line: number, message: string) => never): FixtureCase {
  for (const key of ['subject', 'action', 'expect']) {
    if (!values.has(key)) fail(line, `case is missing "${key}"`);
  }
  const subject = values.get('subject') ?? '';
  const expect = values.get('expect');
  const reason = values.get('reason');
  if (!isServiceName(subject)) fail(line, `subject "${subject}" is not a service name (1..${SERVICE_NAME_MAX_BYTES} bytes of [a-z0-9._-])`);
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
