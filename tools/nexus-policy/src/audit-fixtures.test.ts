import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AuditChain,
  AuditSink,
  auditKeyId,
  CheckpointSealer,
  hashRecord,
  loadAuditPublicKey,
  parseRecordLine,
  verifyJournalText,
  writeJournal,
  type AuditInput,
  type AuditRecord,
  type AuditTransport,
} from '@nexus/audit';
import { describe, expect, test } from 'vitest';
import { AUDIT_FIXTURES } from '../test-support/audit-fixtures.js';



const VERSION = `sha256:${'5e'.repeat(32)}`;
const SELFTEST = 0x866cecf1b02a841bn;
const HOSTILE = 0x52c6c4a34ffb3f69n;

function decision(i: number, patch: Partial<AuditInput> = {}): AuditInput {
  const allow = i % 3 !== 1;
  return {
    timestampNs: 1_000_000_000n + BigInt(i) * 50_000_000n, subjectId: allow ? SELFTEST : HOSTILE, senderId: allow ? SELFTEST : HOSTILE,
    op: allow ? 'check_cap' : 'route', action: allow ? 'crypto.sign' : 'ipc.route', ...(allow ? {} : { target: 'execd' }),
    decision: allow ? 'allow' : 'deny', reason: allow ? 'policy-allow' : 'no-rule', ...(allow ? { rule: 'base.toml:7' } : {}),
    policyVersion: VERSION, ...patch,
  };
}

class Store implements AuditTransport {
  refuse = false;
  readonly stored: AuditRecord[] = [];
  offer(record: AuditRecord): Promise<boolean> | false {
    if (this.refuse) return false;
    this.stored.push(record);
    return Promise.resolve(true);
  }
}

async function journalOf(inputs: readonly AuditInput[], sealWith: ReturnType<typeof generateKeyPairSync>, refuse: (i: number) => boolean, tail = 0): Promise<AuditRecord[]> {
  const chain = new AuditChain({ policyVersion: VERSION });
  const store = new Store();
  const uart: string[] = [];
  let t = 1_000_000_000n;
  const now = (): bigint => (t += 5_000_000n);
  const sink = new AuditSink({ chain, primary: store, uart: { write: (l) => void uart.push(l) }, uartBudget: 1, now, realNowMs: () => 0 });
  const sealer = new CheckpointSealer({
    sink, keyId: auditKeyId(sealWith.publicKey), now, realNowMs: () => 0, schedule: false, everyRecords: 4, bootId: new Uint8Array(16).fill(0x42),
    signer: (m) => Promise.resolve(new Uint8Array(sign(null, m, sealWith.privateKey))),
  });
  for (const [i, input] of inputs.entries()) {
    store.refuse = refuse(i);
    sink.record(input);
    await new Promise((r) => setImmediate(r));
  }
  store.refuse = false;
  sink.retryPrimary();
  await sealer.close();
  for (let i = 0; i < tail; i++) sink.record(decision(100 + i));
  await sink.flush();
  return [...store.stored, ...uart.map(parseRecordLine)].sort((a, b) => (a.seq < b.seq ? -1 : 1));
}

function rechain(records: AuditRecord[]): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const r of records) {
    const prevHash = out.at(-1)?.hash ?? new Uint8Array(32);
    out.push({ ...r, prevHash, hash: hashRecord(prevHash, r) });
  }
  return out;
}

async function generate(): Promise<void> {
  const key = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  const inputs = Array.from({ length: 9 }, (_, i) => decision(i));
  // logd refuses decisions 4..6 while the UART has room for one line: two are lost and declared.
  const refuse = (i: number): boolean => i >= 4 && i <= 6;
  const sealed = await journalOf(inputs, key, refuse);
  const run = sealed.find((r) => r.kind === 'audit-lost')!.lost!;
  const prefix = sealed.filter((r) => r.seq < run.fromSeq);
  const rewritten = [
    ...rechain(prefix.map((r) => (r.kind === 'decision' ? ({ ...r, decision: 'allow', reason: 'policy-allow', op: 'check_cap', action: 'crypto.sign', target: undefined } as AuditRecord) : r))),
    ...sealed.slice(prefix.length),
  ];
  const forged = Array.from({ length: 3 }, (_, i) => decision(i));
  forged[1] = decision(1, { target: 'execd\x1b[1A\x1b[2K' });
  forged[2] = decision(2, { target: 'x\n9  9.9s  route  0x866cecf1b02a841b  -  execd  allow' });
  const files: Record<string, string> = {
    'audit-key.pem': key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    'sealed.journal': writeJournal(sealed),
    'tail.journal': writeJournal(await journalOf(inputs, key, refuse, 2)),
    'rewritten.journal': writeJournal(rewritten),
    'foreign-key.journal': writeJournal(await journalOf(inputs, other, refuse)),
    'forged-rows.journal': writeJournal(await journalOf(forged, key, () => false)),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(AUDIT_FIXTURES, name), text);
}

describe('audit fixtures', () => {
  test.runIf(process.env['NEXUS_UPDATE_AUDIT_FIXTURES'] === '1')('regenerate', generate);

  test('say what the README says they say', () => {
    const read = (name: string): string => readFileSync(join(AUDIT_FIXTURES, name), 'latin1');
    const publicKey = loadAuditPublicKey(read('audit-key.pem'));
    expect(verifyJournalText(read('sealed.journal'), { publicKey })).toMatchObject({ status: 'ok', tail: 0 });
    expect(read('sealed.journal')).toMatch(/kind=audit-lost/);
    expect(verifyJournalText(read('tail.journal'), { publicKey })).toMatchObject({ status: 'unverified', reason: 'unsealed-tail', tail: 2 });
    expect(verifyJournalText(read('rewritten.journal'), { publicKey })).toMatchObject({ status: 'broken', kind: 'prev-mismatch' });
    expect(verifyJournalText(read('foreign-key.journal'), { publicKey })).toMatchObject({ status: 'broken', kind: 'bad-seal' });
    expect(verifyJournalText(read('forged-rows.journal'), { publicKey })).toMatchObject({ status: 'ok' });
  });
});
