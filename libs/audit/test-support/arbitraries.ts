/** Shared test inputs of @nexus/audit: typical and maximal records, arbitraries, and a code probe. */
import fc from 'fast-check';
import { AuditError } from '../src/audit-error.js';
import { AUDIT_LIMITS, type AuditCheckpoint, type AuditInput, type AuditOp, type AuditReason } from '../src/audit-record.js';

/** Runs `fn`: 'ok', or the code of the AuditError it threw (anything else fails the test). */
export function errorCode(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof AuditError)) throw e;
    return e.code;
  }
}

/** The policy version every test chain uses. */
export const VERSION = `sha256:${'ab'.repeat(32)}`;

/** A typical allowed decision. */
export const ALLOW: AuditInput = {
  timestampNs: 1_000n, subjectId: 0x866cecf1b02a841bn, senderId: 0x866cecf1b02a841bn, op: 'check',
  action: 'ipc.core', decision: 'allow', reason: 'policy-allow', rule: 'base.toml:3', policyVersion: VERSION,
};

/** A decision with every field at its maximum size. */
export const MAXIMAL: AuditInput = {
  timestampNs: 2n ** 64n - 1n, subjectId: 2n ** 64n - 1n, senderId: 2n ** 64n - 1n, claimedId: 2n ** 64n - 1n,
  op: 'check_cap_delegated', action: 'a'.repeat(48), target: 't'.repeat(64), decision: 'deny', reason: 'identity-mismatch',
  rule: 'r'.repeat(128), policyVersion: VERSION, nonce: 2n ** 64n - 1n,
};

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const text = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ unit: 'binary', maxLength: maxLength / 4 }), fc.constantFrom('', ' = %', 'a=b c', 'keystored'));

/** A checkpoint payload covering seqs 1..3 (sealed: with a signature that is only the right size). */
export const CHECKPOINT: AuditCheckpoint = {
  bootId: new Uint8Array(16).fill(0xb0), headSeq: 3n, headHash: new Uint8Array(32).fill(0x33), dropped: 0n,
  prevSealedSeq: 0n, prevSealedHash: new Uint8Array(32), keyId: new Uint8Array(32).fill(0x4b), signature: new Uint8Array(64).fill(0x51),
};

/** Any valid decision input of the test policy version. */
export const arbInput: fc.Arbitrary<AuditInput> = fc
  .record(
    {
      timestampNs: u64, subjectId: u64, senderId: u64, claimedId: u64,
      op: fc.constantFrom(...AUDIT_LIMITS.ops.filter((o): o is Exclude<AuditOp, 'none'> => o !== 'none')),
      action: text(48), target: text(64),
      reason: fc.constantFrom(...AUDIT_LIMITS.reasons.filter((r): r is Exclude<AuditReason, 'none'> => r !== 'none')),
      rule: text(128), nonce: u64,
      mode: fc.constant('learn' as const),
      shadow: fc
        .record({ reason: fc.constantFrom('policy-allow', 'no-rule', 'deny-rule', 'identity-mismatch', 'malformed') as fc.Arbitrary<AuditReason>, policyVersion: fc.constantFrom(VERSION, `sha256:${'cd'.repeat(32)}`) })
        .map((s) => ({ ...s, decision: s.reason === 'policy-allow' ? ('allow' as const) : ('deny' as const) })),
    },
    { requiredKeys: ['timestampNs', 'subjectId', 'senderId', 'op', 'action', 'reason'] },
  )
  .map((r) => ({ ...r, decision: r.reason === 'policy-allow' ? ('allow' as const) : ('deny' as const), policyVersion: VERSION }));
