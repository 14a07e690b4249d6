import { serviceIdFromName } from '@nexus/ipc';
import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import { ALLOW, MAXIMAL, VERSION } from '../test-support/arbitraries.js';
import { formatRecordLine, formatRecordSummary } from './format-record-line.js';

const chain = new AuditChain({ policyVersion: VERSION });
const allow = chain.append(ALLOW);
const routed = chain.append({ ...ALLOW, op: 'route', action: 'ipc.route', target: 'execd', decision: 'deny', reason: 'no-rule' });
const maximal = chain.append(MAXIMAL);

describe(formatRecordSummary, () => {
  const cases: [string, typeof allow, string][] = [
    ['check allow', allow, 'audit v2 op=check decision=allow subject=0x866cecf1b02a841b reason=policy-allow'],
    [
      'route deny with target',
      routed,
      `audit v2 op=route decision=deny subject=0x866cecf1b02a841b target=0x${serviceIdFromName('execd').toString(16)} reason=no-rule`,
    ],
  ];
  for (const [name, record, line] of cases) {
    test(name, () => {
      expect(formatRecordSummary(record)).toBe(line);
    });
  }
  test('stays within 256 bytes at maximal fields', () => {
    expect(Buffer.byteLength(formatRecordSummary(maximal))).toBeLessThanOrEqual(256);
  });
});

describe(formatRecordLine, () => {
  test('starts with the summary and carries every other field', () => {
    const line = formatRecordLine(routed);
    expect(line.startsWith(`${formatRecordSummary(routed)} `)).toBe(true);
    expect(line).toContain(' seq=2 ts=1000 sender=0x866cecf1b02a841b kind=decision action=ipc.route tname=execd rule=base.toml%3A3 ');
    expect(line).toContain(` ver=${VERSION} prev=`);
  });
  test('encodes spaces and = inside strings', () => {
    const record = chain.append({ ...ALLOW, action: 'a b=c', rule: 'x y.toml:1' });
    expect(formatRecordLine(record)).toContain(' action=a%20b%3Dc rule=x%20y.toml%3A1 ');
  });
});
