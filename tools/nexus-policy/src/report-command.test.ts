import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { bigJournal, HOSTILE_STRINGS, hostileJournal } from '../test-support/hostile-journal.js';
import { PACKAGE_ROOT, REPO_ROOT, runCli } from '../test-support/run-cli.js';
import { reportCommand } from './report-command.js';

const dir = mkdtempSync(join(tmpdir(), 'nexus-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const AUDIT = join(PACKAGE_ROOT, 'fixtures', 'audit');

/** Every element the report itself writes; anything else would have come from the journal. */
const REPORT_TAGS = new Set([
  '!DOCTYPE', 'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'p', 'code', 'div', 'b', 'pre', 'span', 'i',
  'table', 'thead', 'tbody', 'tr', 'th', 'td', 'button', 'svg', 'rect', 'text', 'tspan', 'line', 'g', 'details', 'summary', 'script',
]);

/** The tag and attribute names of a document (attribute values, always quoted, are skipped). */
function markupOf(html: string): { tags: Set<string>; attributes: Set<string> } {
  const tags = new Set<string>();
  const attributes = new Set<string>();
  for (const [, name = '', rest = ''] of html.matchAll(/<(!?[a-zA-Z][\w-]*)([^>]*)>/g)) {
    tags.add(name);
    for (const [, attr = ''] of rest.replace(/"[^"]*"/g, '').matchAll(/\s([a-zA-Z-]+)/g)) attributes.add(attr.toLowerCase());
  }
  return { tags, attributes };
}

async function report(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string; html: string }> {
  const out = join(dir, `r-${Math.random().toString(36).slice(2)}.html`);
  const run = await runCli(['report', ...args, '-o', out], REPO_ROOT);
  let html = '';
  try {
    html = readFileSync(out, 'utf8');
  } catch {
    // no report written: the run's exit code says why
  }
  return { ...run, html };
}

describe(reportCommand, () => {
  test('a verified journal: verdict, matrix cells, bands, lint and coverage', async () => {
    const run = await report([
      '--journal', join(AUDIT, 'sealed.journal'), '--key', join(AUDIT, 'audit-key.pem'),
      '--fixtures', join(PACKAGE_ROOT, 'fixtures', 'recipes-cases.toml'),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^report .*: policy sha256:[0-9a-f]{64}, journal .*sealed\.journal: verified \(15 records\)\n$/);
    expect(run.html).toMatch(/<div class="verdict ok" id="verdict" data-status="ok"><b>Verified<\/b>/);
    expect(run.html).toMatch(/under key <code>sha256:[0-9a-f]{64}<\/code>/);
    expect(run.html).toMatch(/data-cell="keystored crypto.sign"[^>]*>/);
    expect(run.html).toMatch(/<td class="c cap allow" data-f="\d+" data-cell="keystored crypto.sign"/);
    expect(run.html).toMatch(/<td class="c cap deny" data-f="\d+" data-cell="keystored debug.\*"/);
    expect(run.html).toMatch(/<td class="c cap restricted" data-f="\d+" data-cell="selftest-client bundle.install"|<td class="c cap allow" data-f="\d+" data-cell="selftest-client bundle.install"/);
    expect(run.html).toMatch(/recipes\/policy\/base\.toml:9:14\)/);
    expect(run.html).toContain('dead-deny');
    expect(run.html).toContain('class="band band-audit-lost"');
    expect(run.html).toContain('class="checkpoint sealed"');
    expect(run.html).toContain('id="coverage-table"');
    expect(run.html).toContain('no fixture case is decided by this rule');
  });

  test.each([
    ['no key: unverified (no trust anchor)', ['--journal', join(AUDIT, 'sealed.journal')], 'unverified', 'no-trust-anchor'],
    ['an unsealed tail', ['--journal', join(AUDIT, 'tail.journal'), '--key', join(AUDIT, 'audit-key.pem')], 'unverified', 'unsealed-tail'],
    ['a rewritten journal', ['--journal', join(AUDIT, 'rewritten.journal'), '--key', join(AUDIT, 'audit-key.pem')], 'broken', 'prev-mismatch'],
    ['another key', ['--journal', join(AUDIT, 'foreign-key.journal'), '--key', join(AUDIT, 'audit-key.pem')], 'broken', 'bad-seal'],
  ])('%s', async (_name, args, status, why) => {
    const run = await report(args);
    expect(run.code).toBe(0);
    expect(run.html).toContain(`data-status="${status}"`);
    expect(run.html).toContain(why);
    expect(run.stdout).toContain(status.toUpperCase());
  });

  test('no journal: the matrix alone, and the verdict says there is none', async () => {
    const run = await report([]);
    expect(run.code).toBe(0);
    expect(run.html).toContain('No audit journal');
    expect(run.html).not.toContain('id="timeline-svg"');
  });

  test('test_reject_hostile_journal_markup: every journal string is text, never markup', async () => {
    const path = join(dir, 'hostile.journal');
    writeFileSync(path, hostileJournal());
    const run = await report(['--journal', path]);
    expect(run.code).toBe(0);
    // Exactly the report's own script, and no element or attribute the journal spelled.
    expect(run.html.match(/<script/g)).toHaveLength(1);
    const { tags, attributes } = markupOf(run.html);
    expect([...tags].filter((t) => !REPORT_TAGS.has(t))).toEqual([]);
    expect([...attributes].filter((a) => a.startsWith('on') || a === 'src' || a === 'href')).toEqual([]);
    expect(run.html).not.toContain('\u202e');
    expect(run.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(run.html).toContain('\\u{202e}');
    expect(run.html).toContain('0x00000000deadbeef');
    expect(run.html).toContain('class="band band-uart"');
    for (const text of HOSTILE_STRINGS) expect(run.html).not.toContain(text);
  });

  test('10^5 records: bounded report size and time', async () => {
    const path = join(dir, 'big.journal');
    writeFileSync(path, bigJournal(100_000));
    const started = performance.now();
    const run = await report(['--journal', path]);
    const ms = performance.now() - started;
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(100002 records)');
    expect(run.html.length).toBeLessThan(400_000);
    expect(ms).toBeLessThan(20_000);
    expect(run.html).toContain('class="band band-uart"');
  }, 60_000);

  test('test_reject_subject_flood: 3·10^4 distinct subjects fold into one row, the report stays small', async () => {
    const path = join(dir, 'subjects.journal');
    writeFileSync(path, bigJournal(30_000, true));
    const run = await report(['--journal', path]);
    expect(run.code).toBe(0);
    expect(run.html).toContain('29960 other subject(s)');
    // Every 7th decision is a deny, each by its own subject: 4286 groups, 100 shown.
    expect(run.html).toContain('4186 smaller group(s) not shown');
    expect(run.html.length).toBeLessThan(400_000);
  }, 60_000);

  test.each([
    ['test_reject_missing_output', ['report'], /--output is required/],
    ['test_reject_key_without_journal', ['report', '--key', 'k.pem', '-o', 'x.html'], /--key needs --journal/],
    ['test_reject_positional', ['report', 'extra', '-o', 'x.html'], /expected 0 argument/],
    ['test_reject_unknown_flag', ['report', '--jornal', 'j', '-o', 'x.html'], /unknown flag --jornal \(did you mean --journal\?\)/],
  ])('%s', async (_name, argv, message) => {
    const run = await runCli(argv, dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  test('test_reject_bad_key: a key file that is not an Ed25519 public key is bad input', async () => {
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
    const run = await report(['--journal', join(AUDIT, 'sealed.journal'), '--key', bad]);
    expect(run.code).toBe(2);
    expect(run.html).toBe('');
  });
});
