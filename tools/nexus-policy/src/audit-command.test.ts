import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli, runJson } from '../test-support/run-cli.js';
import { readmeExamples } from '../test-support/readme-examples.js';
import { AUDIT_FIXTURES } from '../test-support/audit-fixtures.js';
import { printable } from './printable.js';

const F = 'tools/nexus-policy/fixtures/audit';
const KEY = `${F}/audit-key.pem`;

/** The `$ command` examples of the README's audit section, with the output and exit code they show. */

describe('the README audit examples', () => {
  const examples = readmeExamples('## audit verify', '## Library API');
  test('are there', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });
  for (const { command, output, code } of examples) {
    test(`$ ${command.slice(0, 110)}`, async () => {
      if (command.startsWith('nexus-policy ')) {
        const run = await runCli(command.slice('nexus-policy '.length).split(' '), REPO_ROOT);
        expect(run.stdout + run.stderr).toBe(output);
        expect(run.code).toBe(code);
        return;
      }
      let stdout = '';
      let status = 0;
      try {
        stdout = execFileSync('bash', ['-c', command], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        status = (error as { status: number }).status;
      }
      expect(stdout).toBe(output);
      expect(status).toBe(code);
    });
  }
});

describe(printable, () => {
  const cases: [string, string, string][] = [
    ['plain ASCII', 'crypto.sign', 'crypto.sign'],
    ['cursor up and erase line', 'execd\x1b[1A\x1b[2K', 'execd\\x1b[1A\\x1b[2K'],
    ['a forged row after a newline', 'x\n9  allow', 'x\\x0a9  allow'],
    ['carriage return, tab, NUL, DEL', '\r\t\0\x7f', '\\x0d\\x09\\x00\\x7f'],
    ['C1 CSI and Latin-1', '\u009b2K\u00e9', '\\x9b2K\\xe9'],
    ['beyond Latin-1 and astral', '\u202e\u{1f600}', '\\u{202e}\\u{1f600}'],
    ['a lone surrogate', 'a\ud800', 'a\\u{d800}'],
    ['a backslash cannot fake an escape', '\\x1b', '\\\\x1b'],
  ];
  for (const [name, input, shown] of cases) {
    test(name, () => {
      expect(printable(input)).toBe(shown);
      expect(printable(input)).toMatch(/^[\x20-\x7e]*$/);
    });
  }
});

describe('audit show cannot be steered', () => {
  test('test_reject_escape_in_fields: ESC sequences and newlines print escaped, one row per record', async () => {
    const run = await runCli(['audit', 'show', `${F}/forged-rows.journal`], REPO_ROOT);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\uffff]/);
    expect(run.stdout.split('\n')).toHaveLength(1 + 4 + 1);
    expect(run.stdout).toContain('execd\\x1b[1A\\x1b[2K');
    const json = await runJson(['audit', 'show', `${F}/forged-rows.journal`], REPO_ROOT);
    expect(JSON.stringify(json.json)).toContain('execd\\u001b[1A');
  });
});

describe('audit verify exit codes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-policy-audit-'));
  const write = (name: string, text: string | Buffer): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const sealed = readFileSync(join(AUDIT_FIXTURES, 'sealed.journal'));

  const cases: [string, () => string[], number, RegExp][] = [
    ['the genuine journal under its key', () => [`${REPO_ROOT}/${F}/sealed.journal`, '--key', `${REPO_ROOT}/${KEY}`], 0, /: ok\n/],
    ['test_reject_invalid_utf8_byte: a byte that is not UTF-8 is a bad line, exit 1', () => {
      const bytes = Buffer.from(sealed);
      bytes[bytes.indexOf(0x0a) + 5] = 0xff;
      return [write('byte.journal', bytes), '--key', `${REPO_ROOT}/${KEY}`];
    }, 1, /BROKEN at line 2: bad-record/],
    ['test_reject_v1_json_journal', () => [write('v1.jsonl', '{"type":"record","line":"audit v1 op=check"}\n'), '--allow-unsigned'], 1, /BROKEN at line 1: bad-record/],
    ['test_reject_cut_line', () => [write('cut.journal', sealed.subarray(0, sealed.length - 10)), '--key', `${REPO_ROOT}/${KEY}`], 1, /bad-record/],
    ['test_reject_missing_journal: exit 2', () => [join(dir, 'missing.journal'), '--allow-unsigned'], 2, /cannot read/],
    ['test_reject_key_that_is_not_ed25519: exit 2', () => [`${REPO_ROOT}/${F}/sealed.journal`, '--key', write('rsa.pem', 'not a key')], 2, /--key/],
    ['test_reject_bad_checkpoint_file: exit 2', () => [`${REPO_ROOT}/${F}/sealed.journal`, '--checkpoint', write('cp.json', '{"seq":1}')], 2, /--checkpoint/],
    ['test_reject_unknown_flag: exit 2', () => [`${REPO_ROOT}/${F}/sealed.journal`, '--allow-no-checkpoint'], 2, /unknown flag --allow-no-checkpoint/],
  ];
  for (const [name, args, code, shown] of cases) {
    test(name, async () => {
      const run = await runCli(['audit', 'verify', ...args()]);
      expect(run.stdout + run.stderr).toMatch(shown);
      expect(run.code).toBe(code);
    });
  }

  test('--json: ok is true exactly for exit 0, every class and line is there', async () => {
    const ok = await runJson(['audit', 'verify', `${F}/sealed.journal`, '--key', KEY], REPO_ROOT);
    expect(ok).toMatchObject({ code: 0, json: { ok: true, status: 'ok', tail: 0 } });
    const broken = await runJson(['audit', 'verify', `${F}/rewritten.journal`, '--key', KEY], REPO_ROOT);
    expect(broken).toMatchObject({ code: 1, json: { ok: false, status: 'broken', kind: 'prev-mismatch', line: 6, seq: '6' } });
  });
});
