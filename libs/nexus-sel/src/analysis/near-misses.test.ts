import { serviceIdFromName } from '@nexus/ipc';
import { describe, expect, test } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { findNearMisses } from './near-misses.js';

const policy = compilePolicy([
  {
    path: 'p.toml',
    text: [
      '[allow]',
      'keystored = ["crypto.sign", "crypto.verify"]',
      'client = ["crypto.verify", "ipc.route"]',
      'router = ["ipc.route@execd"]',
      '[restrict]',
      '"ipc.route" = ["execd"]',
    ].join('\n'),
  },
]);
const id = serviceIdFromName;

describe(findNearMisses, () => {
  test('a default deny: the subject\'s closest grant first and who holds the action', () => {
    const misses = findNearMisses(policy, { subject: id('client'), action: 'crypto.sign' });
    expect(misses.grants.map((r) => r.pattern)).toEqual(['crypto.verify', 'ipc.route']);
    expect(misses.holders.map((h) => h.service)).toEqual(['keystored']);
    expect(misses.restricted).toBeUndefined();
  });

  test('a plain grant that does not reach a restricted target names the pattern it needs', () => {
    const misses = findNearMisses(policy, { subject: id('client'), action: 'IPC.Route', target: 'execd' });
    expect(misses.restricted?.needed).toBe('ipc.route@execd');
    expect(misses.restricted?.grant.pattern).toBe('ipc.route');
    expect(misses.holders.map((h) => h.service)).toEqual(['router']);
  });

  test('a subject the policy does not name has no grants, and others still hold the action', () => {
    const misses = findNearMisses(policy, { subject: id('stranger'), action: 'crypto.verify' });
    expect(misses.grants).toEqual([]);
    expect(misses.holders.map((h) => h.service)).toEqual(['client', 'keystored']);
  });
});

describe('Policy.explain carries the near misses of a default deny', () => {
  const queries = [
    { subject: id('client'), action: 'crypto.sign' },
    { subject: id('client'), action: 'ipc.route', target: 'execd' },
    { subject: id('stranger'), action: 'x.y' },
  ];
  for (const query of queries) {
    test(`${query.action}${query.target === undefined ? '' : `@${query.target}`}: the same report as findNearMisses`, () => {
      const explained = policy.explain(query);
      expect(explained.decision.reason).toBe('no-rule');
      expect(explained.nearMisses).toEqual(findNearMisses(policy, query));
    });
  }

  const others = [
    ['an allow', { subject: id('keystored'), action: 'crypto.sign' }],
    ['a malformed query', { subject: id('client'), action: 'a..b' }],
  ] as const;
  for (const [name, query] of others) {
    test(`${name} has none`, () => {
      expect(policy.explain(query).nearMisses).toBeUndefined();
    });
  }
});
