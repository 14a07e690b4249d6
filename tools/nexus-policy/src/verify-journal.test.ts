import { AuditChain, type AuditRecord, type Checkpoint } from '@nexus/audit';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { verifyJournal } from './verify-journal.js';

const VERSION = `sha256:${'cd'.repeat(32)}`;

const chain = new AuditChain({ policyVersion: VERSION });
const records: readonly AuditRecord[] = Array.from({ length: 8 }, (_, i) =>
  chain.append({
    timestampNs: BigInt(i + 1),
    subjectId: 1n,
    senderId: 1n,
    op: 'check',
    action: 'ipc.core',
    decision: 'allow',
    reason: 'policy-allow',
    policyVersion: VERSION,
  }),
);
const checkpoint: Checkpoint = chain.checkpoint();

describe(verifyJournal, () => {
  test('is ok only for the whole journal with its checkpoint, or a head window with --allow-no-checkpoint', () => {
    fc.assert(
      fc.property(fc.nat(records.length), fc.nat(records.length), fc.boolean(), fc.boolean(), (a, b, withCheckpoint, allow) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const window = records.slice(from, to);
        const verdict = verifyJournal(
          { records: window, checkpoint: withCheckpoint ? checkpoint : undefined },
          { allowNoCheckpoint: allow },
        );
        const whole = from === 0 && to === records.length;
        const expected = withCheckpoint ? whole : allow && from === 0 && to > 0;
        expect(verdict.status === 'ok', JSON.stringify({ from, to, withCheckpoint, allow })).toBe(expected);
        if (window.length === 0 && !withCheckpoint) expect(verdict).toMatchObject({ status: 'unverified', reason: 'empty' });
        if (from > 0 && to > from) expect(verdict).toMatchObject({ status: 'broken', kind: 'truncated', index: 0 });
      }),
      { numRuns: 300 },
    );
  });

  test('an ok without a checkpoint carries the warning; with one it does not', () => {
    const window = verifyJournal({ records, checkpoint: undefined }, { allowNoCheckpoint: true });
    const whole = verifyJournal({ records, checkpoint }, { allowNoCheckpoint: false });
    expect([window.status, window.status === 'ok' && window.warning]).toEqual(['ok', 'no checkpoint, truncation cannot be detected']);
    expect([whole.status, whole.status === 'ok' && whole.warning, whole.status === 'ok' && whole.checkpointSeq]).toEqual(['ok', undefined, 8n]);
  });
});
