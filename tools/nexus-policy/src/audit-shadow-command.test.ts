import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditChain, writeJournal, type AuditInput } from '@nexus/audit';
import { serviceIdFromName } from '@nexus/sel';
import { describe, expect, test } from 'vitest';
import { runCli, runJson } from '../test-support/run-cli.js';
import { shadowReport } from './shadow-report.js';

const ACTIVE = `sha256:${'01'.repeat(32)}`;
const CANDIDATE = `sha256:${'02'.repeat(32)}`;
const ALICE = serviceIdFromName('alice');

function inputs(patches: readonly Partial<AuditInput>[]): AuditInput[] {
  return patches.map((patch, i) => ({
    timestampNs: BigInt(i + 1), subjectId: ALICE, senderId: ALICE, claimedId: ALICE, op: 'check_cap', action: 'audit.read',
    decision: 'allow', reason: 'policy-allow', rule: 'authority.toml:17', policyVersion: ACTIVE, nonce: 1n, ...patch,
  }));
}

function journalFile(patches: readonly Partial<AuditInput>[]): string {
  const chain = new AuditChain({ policyVersion: ACTIVE });
  const records = inputs(patches).map((input) => chain.append(input));
  const file = join(mkdtempSync(join(tmpdir(), 'nexus-shadow-')), 'audit.journal');
  writeFileSync(file, writeJournal(records));
  return file;
}

const DROPPED = { shadow: { decision: 'deny', reason: 'no-rule', policyVersion: CANDIDATE } } as const;
const GRANTED = { decision: 'deny', reason: 'no-rule', rule: undefined, action: 'crypto.sign', shadow: { decision: 'allow', reason: 'policy-allow', policyVersion: CANDIDATE } } as const;

describe(shadowReport, () => {
  test('groups divergences per recorded rule and direction, with count and first/last seq; agreeing records are not listed', () => {
    const chain = new AuditChain({ policyVersion: ACTIVE });
    const entries = inputs([DROPPED, {}, DROPPED, GRANTED, { ...DROPPED, rule: 'base.toml:3', action: 'log.read' }]).map((input) => ({ record: chain.append(input) }));
    const report = shadowReport(entries);
    expect([report.decisions, report.divergent, report.candidates]).toEqual([5, 4, [CANDIDATE]]);
    expect(report.groups.map((g) => [g.direction, g.rule, g.action, g.count, g.firstSeq, g.lastSeq])).toEqual([
      ['allow->deny', 'authority.toml:17', 'audit.read', 2, 1n, 3n],
      ['allow->deny', 'base.toml:3', 'log.read', 1, 5n, 5n],
      ['deny->allow', undefined, 'crypto.sign', 1, 4n, 4n],
    ]);
  });
});

describe('audit shadow', () => {
  test('prints the divergence table, exit 1', async () => {
    const file = journalFile([DROPPED, {}, DROPPED, GRANTED]);
    const run = await runCli(['audit', 'shadow', file, '--allow-unverified']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`decision records: 4, diverging under the shadow: 3 (candidate ${CANDIDATE})\n`);
    expect(run.stdout).toContain(
      'allow -> deny (the candidate would refuse): 2\n' +
        '  authority.toml:17  0x508b2abb65a03907 audit.read: allow (policy-allow) -> deny (no-rule)  x2, first seq 1, last 3\n' +
        'deny -> allow (the candidate would grant): 1\n' +
        '  (no rule)  0x508b2abb65a03907 crypto.sign: deny (no-rule) -> allow (policy-allow)  x1, first seq 4\n',
    );
  });

  test('no shadow decision recorded: exit 0', async () => {
    const run = await runCli(['audit', 'shadow', journalFile([{}, {}]), '--allow-unverified']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('diverging under the shadow: 0 (no shadow decision recorded)');
  });

  test('--json lists the groups', async () => {
    const { code, json } = await runJson(['audit', 'shadow', journalFile([DROPPED]), '--allow-unverified']);
    expect(code).toBe(1);
    expect(json.groups).toEqual([expect.objectContaining({ direction: 'allow->deny', rule: 'authority.toml:17', count: 1, firstSeq: '1', candidateVersion: CANDIDATE })]);
  });

  test('test_reject_unverified_shadow_journal: without --key or --allow-unverified it is refused before any output', async () => {
    const run = await runCli(['audit', 'shadow', journalFile([DROPPED])]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('audit shadow: refused');
  });

  test('test_reject_shadow_field_escape: a recorded action with control bytes is printed escaped', async () => {
    const run = await runCli(['audit', 'shadow', journalFile([{ ...DROPPED, action: 'x\u001b[2Ky' }]), '--allow-unverified']);
    expect(run.stdout).toContain('x\\x1b[2Ky');
    expect(run.stdout).not.toContain('\u001b');
  });
});

describe('audit shadow on a real run (fixtures/learn: the candidate drops the client\'s audit.read)', () => {
  test('every divergence is the dropped grant, allow -> deny, exit 1', async () => {
    const { code, json } = await runJson(['audit', 'shadow', 'fixtures/learn/audit.journal', '--key', 'fixtures/learn/audit-key.pem']);
    expect(code).toBe(1);
    expect(json.divergent).toBeGreaterThan(0);
    for (const g of json.groups) expect([g.direction, g.action, g.shadow]).toEqual(['allow->deny', 'audit.read', { decision: 'deny', reason: 'no-rule' }]);
  });
});
