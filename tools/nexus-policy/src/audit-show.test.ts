import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { AuditChain, writeJournal, type AuditInput } from '@nexus/audit';
import { loadPolicyDir } from '@nexus/sel/node';
import { serviceIdFromName } from '@nexus/sel';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli, runJson } from '../test-support/run-cli.js';
import { auditShow } from './audit-show.js';

const recipes = loadPolicyDir(join(REPO_ROOT, 'recipes/policy'));
const KEYSTORED = serviceIdFromName('keystored');
const HOSTILE = serviceIdFromName('selftest-client');

/** A journal decided under the shipped recipes: the rule each record names is the recipes' own. */
function recipesJournal(): string {
  const chain = new AuditChain({ policyVersion: recipes.version });
  const queries = [
    { subject: KEYSTORED, action: 'crypto.sign', op: 'check_cap' as const },
    { subject: HOSTILE, action: 'crypto.sign', op: 'check_cap' as const },
  ];
  const records = queries.map((q, i) => {
    const d = recipes.decide({ subject: q.subject, action: q.action });
    const input: AuditInput = {
      timestampNs: BigInt(i + 1) * 1_000_000n, subjectId: q.subject, senderId: q.subject, op: q.op, action: q.action,
      decision: d.allow ? 'allow' : 'deny', reason: d.allow ? 'policy-allow' : 'no-rule', policyVersion: recipes.version,
      ...(d.rule === undefined ? {} : { rule: `${basename(d.rule.file)}:${d.rule.line}` }),
    };
    return chain.append(input);
  });
  const dir = mkdtempSync(join(tmpdir(), 'audit-show-'));
  writeFileSync(join(dir, 'recipes.journal'), writeJournal(records));
  return join(dir, 'recipes.journal');
}

describe(auditShow, () => {
  const journal = recipesJournal();
  const granting = recipes.decide({ subject: KEYSTORED, action: 'crypto.sign' }).rule;

  test('subjects named from recipes/policy and the rule as file:line:col with its text', async () => {
    const run = await runCli(['audit', 'show', journal], REPO_ROOT);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(granting).toBeDefined();
    const rows = run.stdout.split('\n');
    expect(rows[1]).toMatch(/^1 .* keystored .* crypto\.sign .* allow .* policy-allow .* recipes\/policy\/[a-z]+\.toml:\d+:\d+  allow keystored crypto\.sign$/);
    expect(rows[1]).toContain(`recipes/policy/${basename(granting?.file ?? '')}:${granting?.line}:${granting?.column}`);
    expect(rows[2]).toMatch(/^2 .* selftest-client .* deny .* no-rule +-$/);
  });

  test('ids print as 0x + 16 hex digits in JSON as in the table, with names and the rule beside', async () => {
    const { code, json } = await runJson(['audit', 'show', journal], REPO_ROOT);
    expect(code).toBe(0);
    expect(json.policy).toBe(recipes.version);
    expect(json.records[0]).toMatchObject({
      subjectId: '0x866cecf1b02a841b',
      senderId: '0x866cecf1b02a841b',
      subject: 'keystored',
      sender: 'keystored',
      ruleAt: { file: `recipes/policy/${basename(granting?.file ?? '')}`, line: granting?.line, column: granting?.column, effect: 'allow', service: 'keystored' },
    });
    expect(json.records[1]).toMatchObject({ subject: 'selftest-client', ruleAt: null });
  });

  test('a record from another policy version keeps its recorded rule: no rule is guessed', async () => {
    const run = await runCli(['audit', 'show', 'tools/nexus-policy/fixtures/audit/sealed.journal'], REPO_ROOT);
    expect(run.stdout).toContain(' keystored ');
    expect(run.stdout).toMatch(/ base\.toml:7\n/);
  });

  test('without the default policy folder, ids stay bare and a note on stderr says why', async () => {
    const run = await runCli(['audit', 'show', journal], tmpdir());
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^note: subjects not named \(.*no such policy folder.*\); give --policy DIR\n$/);
    expect(run.stdout).toContain(' 0x866cecf1b02a841b ');
  });

  test('--policy names subjects from another folder', async () => {
    const run = await runCli(['audit', 'show', journal, '--policy', 'tools/nexus-policy/fixtures/policy-good'], REPO_ROOT);
    expect(run.stdout).toContain(' keystored ');
    // Not the policy the records were decided under: the recorded rule stays as recorded.
    expect(run.stdout).not.toContain('fixtures/policy-good/base.toml:');
  });

  test('test_reject_policy_that_fails: an explicit --policy must load (exit 2)', async () => {
    const run = await runCli(['audit', 'show', journal, '--policy', 'tools/nexus-policy/fixtures/none'], REPO_ROOT);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no such policy folder');
  });
});
