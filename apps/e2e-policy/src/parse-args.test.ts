import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseArgs } from './parse-args.js';
import { SelftestError } from './selftest-error.js';

describe(parseArgs, () => {
  test.each([
    { argv: [], env: {}, out: { phases: [] } },
    { argv: ['--phase', 'policy'], env: {}, out: { phases: ['policy'] } },
    { argv: ['--phase=exec', '--phase', 'bringup'], env: {}, out: { phases: ['exec', 'bringup'] } },
    { argv: [], env: { RUN_PHASE: 'audit, faults' }, out: { phases: ['audit', 'faults'] } },
    { argv: [], env: { RUN_PHASE: ' ' }, out: { phases: [] } },
    { argv: ['--policy', '/p', '--json', 'r.json', '--audit-out=a.jsonl', '--uart-out', 'u.txt'], env: {}, out: { phases: [], policyDir: '/p', jsonOut: 'r.json', auditOut: 'a.jsonl', uartOut: 'u.txt' } },
    { argv: ['--audit-key-out', 'k.pem', '--audit-out=j'], env: {}, out: { phases: [], auditKeyOut: 'k.pem', auditOut: 'j' } },
    { argv: ['--state-dir', 'state', '--phase=durable'], env: {}, out: { phases: ['durable'], stateDir: 'state' } },
    { argv: ['--keep-state'], env: {}, out: { phases: [], keepState: true } },
  ])('$argv $env', ({ argv, env, out }) => {
    expect(parseArgs(argv, env)).toEqual(out);
  });

  test.each([
    { name: 'test_reject_unknown_phase', argv: ['--phase', 'nope'], env: {}, code: 'UNKNOWN_PHASE' },
    { name: 'test_reject_unknown_phase_env', argv: [], env: { RUN_PHASE: 'policy,,exec' }, code: 'UNKNOWN_PHASE' },
    { name: 'test_reject_unknown_flag', argv: ['--verbose'], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_positional', argv: ['policy'], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_missing_value', argv: ['--json'], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_empty_value', argv: ['--json='], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_repeated_file', argv: ['--json', 'a', '--json', 'b'], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_repeated_key_out', argv: ['--audit-key-out=a', '--audit-key-out', 'b'], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_key_out_missing_value', argv: ['--audit-key-out'], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_repeated_state_dir', argv: ['--state-dir=a', '--state-dir', 'b'], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_repeated_keep_state', argv: ['--keep-state', '--keep-state'], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_keep_state_with_value', argv: ['--keep-state=yes'], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_state_dir_missing_value', argv: ['--state-dir'], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_too_many_args', argv: Array.from({ length: 65 }, () => '--phase=policy'), env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_long_arg', argv: ['--json', 'x'.repeat(4097)], env: {}, code: 'BAD_VALUE' },
    { name: 'test_reject_long_env', argv: [], env: { RUN_PHASE: 'x'.repeat(4097) }, code: 'BAD_VALUE' },
  ])('$name', ({ argv, env, code }) => {
    expect(() => parseArgs(argv, env)).toThrow(expect.objectContaining({ name: 'SelftestError', code }));
  });

  test('random argv either parses or throws a SelftestError, nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('--phase', '--json', '--policy', 'policy', 'faults', '--phase=exec')), { maxLength: 8 }), fc.option(fc.string()), (argv, runPhase) => {
        try {
          const args = parseArgs(argv, { RUN_PHASE: runPhase ?? undefined });
          expect(Array.isArray(args.phases)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(SelftestError);
        }
      }),
    );
  });
});
