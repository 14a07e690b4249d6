import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { subjectProblem } from './commit-message.mjs';

const PROJECTS = ['ipc', 'sel', 'e2e-policy', 'nexus-policy'];

describe(subjectProblem, () => {
  test.each([
    'fix(ipc): re-arm after a throw',
    'feat(e2e-policy)!: drop --legacy',
    'build(repo): LICENSE',
    'docs(rfc): RFC-0015 §10',
    'test(ipc,sel): shared rig',
  ])('accepts %s', (subject) => {
    expect(subjectProblem(subject, PROJECTS)).toBeUndefined();
  });

  test.each([
    ['test_reject_no_type', 'ipc: re-arm after a throw', /not "type\(scope\): summary"/],
    ['test_reject_no_scope', 'fix: re-arm', /not "type\(scope\): summary"/],
    ['test_reject_unknown_type', 'feature(ipc): x', /unknown type "feature"/],
    ['test_reject_unknown_scope', 'fix(kernel): x', /unknown scope "kernel"/],
    ['test_reject_one_unknown_of_two', 'fix(ipc,kernel): x', /unknown scope "kernel"/],
    ['test_reject_empty_summary', 'fix(ipc): ', /not "type/],
    ['test_reject_no_space', 'fix(ipc):x', /not "type/],
    ['test_reject_uppercase_type', 'Fix(ipc): x', /not "type|unknown type/],
    ['test_reject_huge', `fix(ipc): ${'x'.repeat(500)}`, /longer than/],
  ])('%s', (_, subject, problem) => {
    expect(subjectProblem(subject, PROJECTS)).toMatch(problem);
  });
});

describe('scripts/check-commits.mjs', () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  const run = (...args: string[]): { code: number; out: string } => {
    try {
      return { code: 0, out: execFileSync(process.execPath, ['scripts/check-commits.mjs', ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
    } catch (error) {
      const e = error as { status: number; stdout: string; stderr: string };
      return { code: e.status, out: e.stdout + e.stderr };
    }
  };

  test('test_reject_pre_convention_history: the commits before the cut-off fail the check', () => {
    // ab9fdaa ("ipc tests: …") is one of the last subjects written before the convention.
    const result = run('ab9fdaa~1..ab9fdaa');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/ab9fdaa[0-9a-f]* ipc tests: [\s\S]*not "type\(scope\): summary"/);
  });

  test('test_reject_bad_range: a range git does not know is a usage error (exit 2)', () => {
    expect(run('no-such-ref..HEAD').code).toBe(2);
  });
});
