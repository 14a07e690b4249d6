import { describe, expect, test } from 'vitest';
import { ALLOW } from '../test-support/arbitraries.js';
import { DENY, runRig } from '../test-support/seal-rig.js';

describe(runRig, () => {
  test('a rig run ends on a sealed checkpoint that covers every record before it', async () => {
    const { records, sealer } = await runRig({ inputs: [ALLOW, DENY, ALLOW, DENY, ALLOW] });
    const last = records.at(-1)!;
    expect(last.kind).toBe('checkpoint');
    expect(last.checkpoint?.signature?.length).toBe(64);
    expect(last.checkpoint?.headSeq).toBe(last.seq - 1n);
    expect(sealer.stats()).toMatchObject({ unsealed: 0, lastSealedSeq: last.seq });
  });
});
