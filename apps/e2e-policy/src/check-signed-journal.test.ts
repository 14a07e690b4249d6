import { generateKeyPairSync, sign } from 'node:crypto';
import { checkpointMessageOf, hashRecord, loadAuditPublicKey, readJournal, verifyJournalText, type AuditRecord } from '@nexus/audit';
import { beforeAll, describe, expect, test } from 'vitest';
import { checkSignedJournal } from './check-signed-journal.js';
import { defaultPolicyDir } from './default-policy-dir.js';
import { runSelftest, type SelftestIo } from './run-selftest.js';

/** Re-chains records from index `from` to index `to` (exclusive), as a writer of the file holding no key would. */
function rechain(records: readonly AuditRecord[], from: number, to = records.length): AuditRecord[] {
  const out = records.slice(0, from);
  for (const r of records.slice(from, to)) {
    const prevHash = out.at(-1)?.hash ?? new Uint8Array(32);
    out.push({ ...r, prevHash, hash: hashRecord(prevHash, r) });
  }
  return [...out, ...records.slice(to)];
}

/** Index of the last record matching `pred` (-1 if none); the project's lib is es2022 (no findLastIndex). */
function lastIndex(records: readonly AuditRecord[], pred: (r: AuditRecord) => boolean): number {
  for (let i = records.length - 1; i >= 0; i--) if (pred(records[i] as AuditRecord)) return i;
  return -1;
}

let journal = '';
let pem = '';
let lines: string[] = [];

beforeAll(async () => {
  const files = new Map<string, string>();
  const io: SelftestIo = { print: (l) => lines.push(l), writeFile: (p, t) => void files.set(p, t) };
  lines = [];
  const report = await runSelftest({ phases: [], policyDir: defaultPolicyDir(), auditOut: 'j.journal', auditKeyOut: 'k.pem' }, io);
  expect(report.exitCode).toBe(0);
  journal = files.get('j.journal') ?? '';
  pem = files.get('k.pem') ?? '';
});

describe(checkSignedJournal, () => {
  test('a real run: the marker is printed, the key file is SPKI PEM, and the journal verifies under it to its last record', () => {
    expect(lines).toContain('SELFTEST: audit checkpoint signed ok');
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    const key = loadAuditPublicKey(pem);
    const records = readJournal(journal);
    expect(checkSignedJournal(records, key)).toBeUndefined();
    expect(verifyJournalText(journal, { publicKey: key })).toMatchObject({ status: 'ok', tail: 0 });
    // The run crosses the logd crash: the journal declares a loss, and still verifies.
    expect(records.some((r) => r.kind === 'audit-lost' || r.kind === 'audit-evicted')).toBe(true);
    expect(records.at(-1)?.kind).toBe('checkpoint');
  });

  test('test_reject_rewrite_before_declared_loss: a record before the gap rewritten and re-chained up to it', () => {
    const key = loadAuditPublicKey(pem);
    const records = readJournal(journal);
    const loss = records.findIndex((r) => r.kind === 'audit-lost' || r.kind === 'audit-evicted');
    const victim = records.findIndex((r, i) => i < loss && r.kind === 'decision');
    expect(victim).toBeGreaterThanOrEqual(0);
    // The decision is pinned on another subject (the record stays well-formed).
    const rewritten = records.map((r, i) => (i === victim ? { ...r, subjectId: r.subjectId ^ 1n } : r));
    // The attacker re-chains only the records before the declared gap, as in the original finding.
    const gapStart = records.findIndex((r, i) => i > victim && r.seq + 1n !== records[i + 1]?.seq);
    const cause = checkSignedJournal(rechain(rewritten, victim, gapStart + 1), key);
    expect(cause).toMatch(/^signed journal broken \((bad-seal|prev-mismatch|lost-range|hash-mismatch) at seq \d+\)$/);
  });

  test('test_reject_seal_by_other_key: one seal replaced by a signature of another key over the same message', () => {
    const key = loadAuditPublicKey(pem);
    const records = readJournal(journal);
    const other = generateKeyPairSync('ed25519').privateKey;
    const at = lastIndex(records, (r) => r.checkpoint?.signature !== undefined);
    const forged = records.map((r, i) =>
      i === at && r.checkpoint !== undefined ? { ...r, checkpoint: { ...r.checkpoint, signature: new Uint8Array(sign(null, checkpointMessageOf(r), other)) } } : r,
    );
    // Re-chained, so the chain itself holds: only the seal is wrong.
    expect(checkSignedJournal(rechain(forged, at), key)).toMatch(/^signed journal broken \(bad-seal at seq \d+\)$/);
    // And the key of another boot verifies nothing of this one.
    expect(checkSignedJournal(records, generateKeyPairSync('ed25519').publicKey)).toMatch(/bad-seal/);
  });

  test('test_reject_tail_after_last_seal: a record appended, or the last seal dropped, leaves an unsealed tail', () => {
    const key = loadAuditPublicKey(pem);
    const records = readJournal(journal);
    const last = records.at(-1) as AuditRecord;
    const decision = records[lastIndex(records, (r) => r.kind === 'decision')] as AuditRecord;
    const appended = rechain([...records, { ...decision, seq: last.seq + 1n }], records.length);
    expect(checkSignedJournal(appended, key)).toBe('signed journal unverified (unsealed-tail)');
    const lastSeal = lastIndex(records, (r) => r.checkpoint?.signature !== undefined);
    const altered = records.slice(0, lastSeal);
    expect(checkSignedJournal(altered, key)).toBe('signed journal unverified (unsealed-tail)');
    const lastDecision = lastIndex(records, (r) => r.kind === 'decision');
    const changed = records.map((r, i) => (i === lastDecision ? { ...r, subjectId: r.subjectId ^ 1n } : r));
    expect(checkSignedJournal(changed, key)).toMatch(/^signed journal broken/);
  });
});
