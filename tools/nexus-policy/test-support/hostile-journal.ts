import { AuditChain, writeJournal, type AuditInput, type AuditRecord } from '@nexus/audit';

/** The policy version the generated journals claim (not the recipes' own). */
export const JOURNAL_VERSION: string = `sha256:${'5e'.repeat(32)}`;

/** Markup and script a hostile service could put in the fields it controls. */
export const HOSTILE_STRINGS: readonly string[] = Object.freeze([
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(2)>',
  "'><svg onload=alert(3)>",
  '</title></svg><b>x',
  '\u202egnp.exe&amp;',
]);

const KEYSTORED = 0x866cecf1b02a841bn;

/**
 * A chained journal whose decision records carry markup and script in every string field a client
 * influences (action, target, rule), under a subject id no policy names, plus sink switches and a
 * declared loss so every band kind is drawn.
 *
 * @example
 * writeFileSync('hostile.journal', hostileJournal());
 */
export function hostileJournal(): string {
  const chain = new AuditChain({ policyVersion: JOURNAL_VERSION });
  const records: AuditRecord[] = [];
  let t = 1_000_000_000n;
  HOSTILE_STRINGS.forEach((text, i) => {
    records.push(
      chain.append({
        timestampNs: (t += 1_000_000n), subjectId: 0xdeadbeefn + BigInt(i), senderId: 0xdeadbeefn + BigInt(i), claimedId: KEYSTORED,
        op: 'route', action: text.slice(0, 48), target: text.slice(0, 64), decision: 'deny', reason: 'identity-mismatch',
        rule: text, policyVersion: JOURNAL_VERSION,
      }),
    );
  });
  records.push(chain.append({ kind: 'sink-switch', timestampNs: (t += 1_000_000n), sink: 'uart' }));
  records.push(chain.append(decisionInput((t += 1_000_000n), KEYSTORED, true)));
  records.push(chain.append({ kind: 'sink-switch', timestampNs: (t += 1_000_000n), sink: 'primary' }));
  return writeJournal(records);
}

/**
 * A chained journal of `count` decisions by a few subjects (or each by its own, a hostile
 * journal's way to blow up per-subject state), every 7th one denied, with a UART period
 * and a sink switch back in the middle, for size tests.
 *
 * @example
 * writeFileSync('big.journal', bigJournal(100_000));
 */
export function bigJournal(count: number, distinctSubjects = false): string {
  const chain = new AuditChain({ policyVersion: JOURNAL_VERSION });
  const subjects = [KEYSTORED, 0x52c6c4a34ffb3f69n, 0x46f681f38d27984en, 0x1234n];
  const subjectOf = (i: number): bigint => (distinctSubjects ? 0x1000n + BigInt(i) : (subjects[i % subjects.length] ?? KEYSTORED));
  const lines: string[] = [];
  let t = 1_000_000_000n;
  for (let i = 0; i < count; i++) {
    if (i === Math.floor(count / 2)) lines.push(writeJournal([chain.append({ kind: 'sink-switch', timestampNs: t, sink: 'uart' })]));
    if (i === Math.floor(count / 2) + 100) lines.push(writeJournal([chain.append({ kind: 'sink-switch', timestampNs: t, sink: 'primary' })]));
    lines.push(writeJournal([chain.append(decisionInput((t += 1_000n), subjectOf(i), i % 7 !== 0))]));
  }
  return lines.join('');
}

function decisionInput(timestampNs: bigint, subject: bigint, allow: boolean): AuditInput {
  return {
    timestampNs, subjectId: subject, senderId: subject, op: allow ? 'check_cap' : 'route', action: allow ? 'crypto.sign' : 'ipc.route',
    ...(allow ? { rule: 'recipes/policy/base.toml:9' } : { target: 'execd' }), decision: allow ? 'allow' : 'deny',
    reason: allow ? 'policy-allow' : 'no-rule', policyVersion: JOURNAL_VERSION,
  };
}
