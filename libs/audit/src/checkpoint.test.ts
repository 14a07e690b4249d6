import { describe, expect, test } from 'vitest';
import { AuditChain } from './audit-chain.js';
import { AuditError } from './audit-error.js';
import { ALLOW, VERSION } from '../test-support/arbitraries.js';
import { checkpointFromJson, checkpointToJson } from './checkpoint.js';

const chain = new AuditChain({ policyVersion: VERSION });
chain.append(ALLOW);
const checkpoint = chain.checkpoint();
const json = checkpointToJson(checkpoint);

describe(checkpointToJson, () => {
  test('is plain JSON that round-trips', () => {
    expect(json).toEqual({ seq: '1', hash: Buffer.from(checkpoint.hash).toString('hex'), policyVersion: VERSION, dropped: '0' });
    expect(checkpointFromJson(JSON.parse(JSON.stringify(json)))).toEqual(checkpoint);
  });
});

describe(checkpointFromJson, () => {
  const rejects: [string, unknown][] = [
    ['test_reject_null', null],
    ['test_reject_array', []],
    ['test_reject_numeric_seq', { ...json, seq: 1 }],
    ['test_reject_seq_over_u64', { ...json, seq: `${2n ** 64n}` }],
    ['test_reject_negative_dropped', { ...json, dropped: '-1' }],
    ['test_reject_short_hash', { ...json, hash: 'ab' }],
    ['test_reject_bad_version', { ...json, policyVersion: 'md5:00' }],
  ];
  for (const [name, value] of rejects) {
    test(name, () => {
      expect(() => checkpointFromJson(value)).toThrow(AuditError);
    });
  }
  test('ignores a container tag', () => {
    expect(checkpointFromJson({ type: 'checkpoint', ...json })).toEqual(checkpoint);
  });
});
