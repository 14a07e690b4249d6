import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import type { AuditInput, AuditRecord } from './audit-record.js';
import { ALLOW, arbInput, VERSION } from '../test-support/arbitraries.js';
import { checkpointToJson } from './checkpoint.js';
import { checkpointMessageOf } from './encode-record.js';
import { formatRecordLine } from './format-record-line.js';
import { hashRecord } from './hash-record.js';
import { parseJournal, writeJournal } from './journal-file.js';
import { DENY, KEY, runRig, testKey } from '../test-support/seal-rig.js';
import { verifyJournal, verifyJournalText, type JournalVerdict } from './verify-journal.js';

const withKey = { publicKey: KEY.publicKey };
const inputs = [ALLOW, DENY, ALLOW, ALLOW, DENY, ALLOW, DENY, DENY, ALLOW, ALLOW];

/** Re-chains records from `from` on, as an attacker who can write the file but holds no key would. */
function rechain(records: AuditRecord[], from = 0): AuditRecord[] {
  const out = records.slice(0, from);
  for (const r of records.slice(from)) {
    const prevHash = out.at(-1)?.hash ?? new Uint8Array(32);
    out.push({ ...r, prevHash, hash: hashRecord(prevHash, r) });
  }
  return out;
}

function verdictOf(records: AuditRecord[], options = withKey): JournalVerdict {
  return verifyJournalText(writeJournal(records), options);
}

describe(verifyJournal, () => {
  test('a genuine sealed journal verifies under its key, to its last record', async () => {
    const { records } = await runRig({ inputs });
    const verdict = verdictOf(records);
    expect(verdict).toMatchObject({ status: 'ok', tail: 0, verifiedThrough: records.at(-1)!.seq, warnings: [] });
    expect(verdict.status === 'ok' && verdict.seals).toBeGreaterThanOrEqual(3);
  });

  test('without a trust anchor nothing is proved; --allow-unsigned accepts it with a warning', async () => {
    const { records } = await runRig({ inputs });
    expect(verdictOf(records, {} as typeof withKey)).toMatchObject({ status: 'unverified', reason: 'no-trust-anchor' });
    const unsigned = verifyJournalText(writeJournal(records), { allowUnsigned: true });
    expect(unsigned).toMatchObject({ status: 'ok' });
    expect(unsigned.status === 'ok' && unsigned.warnings[0]).toMatch(/^unsigned/);
  });

  test('test_reject_full_rechain_with_recomputed_checkpoints: every record rewritten, every hash and checkpoint recomputed', async () => {
    const { records } = await runRig({ inputs });
    const rewritten = records.map((r) => (r.kind === 'decision' ? ({ ...r, decision: 'allow', reason: 'policy-allow', target: 'keystored' } as AuditRecord) : r));
    // The attacker recomputes each checkpoint's head and link over the rewritten chain, keeping the old signatures.
    const out: AuditRecord[] = [];
    let prevSealed: { seq: bigint; hash: Uint8Array } = { seq: 0n, hash: new Uint8Array(32) };
    for (const r of rewritten) {
      const prevHash = out.at(-1)?.hash ?? new Uint8Array(32);
      let next: AuditRecord = r;
      if (r.checkpoint !== undefined) {
        const headHash = out.find((o) => o.seq === r.checkpoint!.headSeq)!.hash;
        next = { ...r, checkpoint: { ...r.checkpoint, headHash, prevSealedSeq: prevSealed.seq, prevSealedHash: prevSealed.hash } };
      }
      next = { ...next, prevHash, hash: hashRecord(prevHash, next) };
      if (next.checkpoint !== undefined) prevSealed = { seq: next.seq, hash: next.hash };
      out.push(next);
    }
    expect(verdictOf(out)).toMatchObject({ status: 'broken', kind: 'bad-seal' });
    // Without the signatures nothing vouches for the chain.
    const stripped = rechain(out.map((r) => (r.checkpoint === undefined ? r : { ...r, checkpoint: { ...r.checkpoint, signature: undefined } })));
    expect(verdictOf(stripped)).toMatchObject({ status: 'unverified', reason: 'no-seal' });
  });

  test('test_reject_seal_by_foreign_key: a journal re-sealed by another key', async () => {
    const other = testKey();
    const { records } = await runRig({ inputs, key: other });
    expect(verdictOf(records, { publicKey: other.publicKey })).toMatchObject({ status: 'ok' });
    expect(verdictOf(records)).toMatchObject({ status: 'broken', kind: 'bad-seal', detail: expect.stringMatching(/not of the key given/) });
    // Claiming the real key's id does not help: the signature is still the other key's.
    const claimed = rechain(records.map((r) => (r.checkpoint === undefined ? r : { ...r, checkpoint: { ...r.checkpoint, keyId: KEY.keyId } })));
    expect(verdictOf(claimed)).toMatchObject({ status: 'broken', kind: 'bad-seal', detail: expect.stringMatching(/does not verify/) });
  });

  test('test_reject_seal_replayed_from_another_boot', async () => {
    const bootA = new Uint8Array(16).fill(0xa);
    const bootB = new Uint8Array(16).fill(0xb);
    // The runs are deterministic: the records of both boots are identical up to the first checkpoint.
    const a = (await runRig({ inputs, bootId: bootA })).records;
    const b = (await runRig({ inputs, bootId: bootB })).records;
    const firstCheckpoint = b.findIndex((r) => r.kind === 'checkpoint');
    expect(a.slice(0, firstCheckpoint)).toEqual(b.slice(0, firstCheckpoint));
    // B's journal cut after its first seal, then A's next seal replayed on top (re-chained to fit).
    const replayed = rechain([...b.slice(0, firstCheckpoint + 1), ...a.slice(firstCheckpoint + 1, a.findIndex((r, i) => i > firstCheckpoint && r.kind === 'checkpoint') + 1)], firstCheckpoint + 1);
    expect(verdictOf(replayed)).toMatchObject({ status: 'broken', kind: 'foreign-boot' });
    expect(verdictOf(b, { ...withKey, bootId: bootA } as typeof withKey)).toMatchObject({ status: 'broken', kind: 'foreign-boot' });
  });

  test('test_reject_prefix_rewrite_under_declared_loss, sealed journal', async () => {
    // The primary refuses 6 decisions while the UART has room for 2: 4 are lost and declared.
    const refuse = inputs.map((_, i) => i >= 3 && i < 9);
    const { records } = await runRig({ inputs: [...inputs, ...inputs], refuse, uartBudget: 2 });
    expect(verdictOf(records)).toMatchObject({ status: 'ok' });
    const lost = records.find((r) => r.kind === 'audit-lost')!;
    const before = Number(lost.lost!.fromSeq - 1n);
    const prefix = records.filter((r) => r.seq <= BigInt(before));
    const forged = [...rechain(prefix.map((r) => (r.kind === 'decision' ? ({ ...r, decision: 'allow', reason: 'policy-allow' } as AuditRecord) : r))), ...records.slice(prefix.length)];
    const verdict = verdictOf(forged);
    expect(verdict.status).toBe('broken');
    expect(verdict.status === 'broken' && ['prev-mismatch', 'bad-seal']).toContain(verdict.status === 'broken' ? verdict.kind : '');
  });

  test('records after the last seal are an unsealed tail: unverified unless allowed', async () => {
    const { records, sink } = await runRig({ inputs, open: true });
    void sink;
    const verdict = verdictOf(records);
    expect(verdict).toMatchObject({ status: 'unverified', reason: 'unsealed-tail' });
    const allowed = verifyJournalText(writeJournal(records), { ...withKey, allowUnsealedTail: true });
    expect(allowed).toMatchObject({ status: 'ok' });
    expect(allowed.status === 'ok' && allowed.tail).toBeGreaterThan(0);
    // A tail that is altered stays unproved: it is never "ok" without the flag.
    const altered = rechain(records.map((r, i) => (i === records.length - 1 && r.kind === 'decision' ? { ...r, action: 'crypto.sign' } : r)), records.length - 1);
    expect(verdictOf(altered).status).not.toBe('ok');
  });

  test('a failed signer chains an unsealed checkpoint and the next seal covers it', async () => {
    const { records, sealer } = await runRig({ inputs, failSign: (call) => call === 0 });
    const checkpoints = records.filter((r) => r.kind === 'checkpoint');
    expect(checkpoints[0]!.checkpoint!.signature).toBeUndefined();
    expect(checkpoints[1]!.checkpoint!).toMatchObject({ prevSealedSeq: 0n });
    expect(checkpoints[1]!.checkpoint!.headSeq).toBeGreaterThan(checkpoints[0]!.seq - 1n);
    expect(sealer.stats()).toMatchObject({ unsealed: 1 });
    expect(verdictOf(records)).toMatchObject({ status: 'ok', tail: 0 });
  });

  test('test_reject_replayed_seal: an old sealed checkpoint of the same boot and key appended again', async () => {
    const { records } = await runRig({ inputs });
    const first = records.find((r) => r.kind === 'checkpoint')!;
    const replayed = rechain([...records, { ...first, seq: records.at(-1)!.seq + 1n }], records.length);
    expect(verdictOf(replayed)).toMatchObject({ status: 'broken', kind: 'seal-gap', seq: records.at(-1)!.seq + 1n });
    // Removing a sealed checkpoint leaves a gap no run declares.
    expect(verdictOf(records.filter((r) => r !== first))).toMatchObject({ status: 'broken', kind: 'gap' });
  });

  test('an unsigned checkpoint obtained elsewhere is a trust anchor up to its seq', async () => {
    const { records, chain } = await runRig({ inputs });
    const anchor = chain.checkpoint();
    expect(verifyJournalText(writeJournal(records), { checkpoint: anchor })).toMatchObject({ status: 'ok', verifiedThrough: anchor.seq });
    const early = { ...anchor, seq: 3n, hash: records[2]!.hash };
    expect(verifyJournalText(writeJournal(records), { checkpoint: early })).toMatchObject({ status: 'unverified', reason: 'unsealed-tail' });
    expect(verifyJournalText(writeJournal(records), { checkpoint: { ...early, hash: records[1]!.hash } })).toMatchObject({ status: 'broken', kind: 'checkpoint-mismatch' });
    expect(verifyJournalText(writeJournal(records.slice(0, 2)), { checkpoint: early })).toMatchObject({ status: 'broken', kind: 'truncated' });
    expect(checkpointToJson(anchor).seq).toBe(String(anchor.seq));
  });

  test('test_reject_unparsable_line: a broken line is bad-record at its line, never an exception', async () => {
    const { records } = await runRig({ inputs });
    const lines = writeJournal(records).split('\n');
    lines[2] = lines[2]!.replace('op=', 'op=x');
    expect(verifyJournalText(lines.join('\n'), withKey)).toMatchObject({ status: 'broken', kind: 'bad-record', line: 3 });
    expect(verifyJournalText('{"type":"record","line":"audit v1 op=check"}\n', withKey)).toMatchObject({ status: 'broken', kind: 'bad-record', line: 1 });
    expect(verifyJournalText(writeJournal(records).slice(0, -1), withKey)).toMatchObject({ status: 'broken', kind: 'bad-record' });
    expect(verifyJournalText('', withKey)).toMatchObject({ status: 'unverified', reason: 'empty' });
  });
});

describe('a seal checks with openssl alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-audit-openssl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('openssl pkeyutl -verify -rawin accepts the cp= bytes and sig= of a checkpoint line, and refuses a changed byte', async () => {
    const { records } = await runRig({ inputs });
    const line = formatRecordLine(records.at(-1)!);
    const cp = /\bcp=([0-9a-f]+)/.exec(line)![1]!;
    const sig = /\bsig=([0-9a-f]+)/.exec(line)![1]!;
    expect(Buffer.from(cp, 'hex')).toEqual(Buffer.from(checkpointMessageOf(records.at(-1)!)));
    writeFileSync(join(dir, 'key.pem'), KEY.pem);
    writeFileSync(join(dir, 'msg.bin'), Buffer.from(cp, 'hex'));
    writeFileSync(join(dir, 'sig.bin'), Buffer.from(sig, 'hex'));
    const args = ['pkeyutl', '-verify', '-pubin', '-inkey', 'key.pem', '-rawin', '-in', 'msg.bin', '-sigfile', 'sig.bin'];
    expect(execFileSync('openssl', args, { cwd: dir, encoding: 'utf8' })).toMatch(/Signature Verified Successfully/);
    const changed = Buffer.from(cp, 'hex');
    changed[40] = (changed[40] ?? 0) ^ 1;
    writeFileSync(join(dir, 'msg.bin'), changed);
    expect(() => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })).toThrow();
  });
});

describe('journal tampering (properties)', () => {
  const plan = fc.record({
    inputs: fc.array(arbInput, { minLength: 1, maxLength: 10 }),
    refuse: fc.array(fc.boolean(), { maxLength: 10 }),
    everyRecords: fc.integer({ min: 1, max: 6 }),
    uartBudget: fc.nat(4),
    failSign: fc.array(fc.boolean(), { maxLength: 6 }),
  });
  async function genuine(p: { inputs: AuditInput[]; refuse: boolean[]; everyRecords: number; uartBudget: number; failSign: boolean[] }): Promise<AuditRecord[]> {
    return (await runRig({ ...p, failSign: (call) => p.failSign[call] === true })).records;
  }

  test('a genuine journal always verifies under its key, and parses back to its records (round trip)', async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (p) => {
        const records = await genuine(p);
        const text = writeJournal(records);
        expect(parseJournal(text)).toEqual({ entries: records.map((record, i) => ({ line: i + 1, record })), bad: undefined });
        expect(verifyJournalText(text, withKey)).toMatchObject({ status: 'ok', tail: 0 });
      }),
      { numRuns: 60 },
    );
  });

  const tamper = fc.oneof(
    fc.record({ t: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ t: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({ t: fc.constant('insert' as const), at: fc.nat(), from: fc.nat() }),
    fc.record({ t: fc.constant('reorder' as const), at: fc.nat() }),
    fc.record({ t: fc.constant('splice' as const), at: fc.nat() }),
  );

  test('any single-byte change, deletion, insertion, reorder or splice before the last seal is detected', async () => {
    await fc.assert(
      fc.asyncProperty(plan, plan, tamper, async (p, q, t) => {
        const records = await genuine(p);
        const text = writeJournal(records);
        const lines = text.split('\n').slice(0, -1);
        // Everything up to and including the last sealed checkpoint line is covered.
        const lastSeal = records.map((r) => r.checkpoint?.signature !== undefined).lastIndexOf(true);
        fc.pre(lastSeal >= 0);
        const covered = lines.slice(0, lastSeal + 1).join('\n').length + 1;
        let out: string;
        switch (t.t) {
          case 'byte': {
            const at = t.at % covered;
            const code = text.charCodeAt(at) ^ t.value;
            out = `${text.slice(0, at)}${String.fromCharCode(code)}${text.slice(at + 1)}`;
            break;
          }
          case 'delete':
            out = lines.filter((_, i) => i !== t.at % (lastSeal + 1)).map((l) => `${l}\n`).join('');
            break;
          case 'insert': {
            const at = t.at % (lastSeal + 1);
            out = [...lines.slice(0, at), lines[t.from % lines.length]!, ...lines.slice(at)].map((l) => `${l}\n`).join('');
            break;
          }
          case 'reorder': {
            fc.pre(lastSeal >= 1);
            const at = t.at % lastSeal;
            out = [...lines.slice(0, at), lines[at + 1]!, lines[at]!, ...lines.slice(at + 2)].map((l) => `${l}\n`).join('');
            break;
          }
          case 'splice': {
            const other = writeJournal(await genuine({ ...q, inputs: q.inputs.map((i) => ({ ...i, timestampNs: i.timestampNs ^ 0x5n })) })).split('\n').slice(0, -1);
            const at = 1 + (t.at % (lastSeal + 1));
            // A "splice" that takes nothing from the other journal is a cut at a seal: see the truncation rule.
            fc.pre(other.length > at);
            out = [...lines.slice(0, at), ...other.slice(at)].map((l) => `${l}\n`).join('');
            fc.pre(out !== text);
            break;
          }
        }
        fc.pre(out !== text);
        expect(verifyJournalText(out, withKey).status).not.toBe('ok');
      }),
      { numRuns: 300 },
    );
  });
});

test('VERSION is the rig policy version', () => {
  expect(ALLOW.policyVersion).toBe(VERSION);
});
