import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { AuditChain } from '../src/audit-chain.js';
import type { AuditInput, AuditRecord } from '../src/audit-record.js';
import { AuditSink, type AuditTransport, type UartPort } from '../src/audit-sink.js';
import { ALLOW, VERSION } from './arbitraries.js';
import { CheckpointSealer, type CheckpointSigner } from '../src/checkpoint-sealer.js';
import { parseRecordLine } from '../src/parse-record-line.js';
import { auditKeyId } from '../src/seal-key.js';

/** An Ed25519 audit key pair of a test (the private half stands in for keystored's). */
export interface TestKey {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
  readonly keyId: Uint8Array;
  readonly pem: string;
  readonly signer: CheckpointSigner;
}

/** A fresh Ed25519 key pair and a signer over it. */
export function testKey(): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey, privateKey, keyId: auditKeyId(publicKey),
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    signer: (message) => Promise.resolve(new Uint8Array(sign(null, message, privateKey))),
  };
}

/** One shared key for the tests that do not care which. */
export const KEY: TestKey = testKey();

/** A store that keeps what it accepts; `refuse` makes it refuse synchronously. */
export class MemoryPrimary implements AuditTransport {
  refuse = false;
  readonly stored: AuditRecord[] = [];
  offer(record: AuditRecord): Promise<boolean> | false {
    if (this.refuse) return false;
    this.stored.push(record);
    return Promise.resolve(true);
  }
}

/** A console that keeps its lines. */
export class MemoryUart implements UartPort {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
}

/** Lets queued microtasks and the signer's promise run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A deny of the test policy. */
export const DENY: AuditInput = { ...ALLOW, decision: 'deny', reason: 'no-rule' };

/** How one rig run goes: decisions, and per decision whether the primary refuses it. */
export interface RigPlan {
  readonly inputs: readonly AuditInput[];
  readonly refuse?: readonly boolean[];
  readonly everyRecords?: number;
  readonly uartBudget?: number;
  readonly key?: TestKey;
  readonly bootId?: Uint8Array;
  /** Per sign call made before shutdown: make it fail. */
  readonly failSign?: (call: number) => boolean;
  /** Leave the sealer open (no final seal). */
  readonly open?: boolean;
}

/** A sink and a sealer over memory stores, run through a plan; the journal is the merge by seq. */
export async function runRig(plan: RigPlan): Promise<{ records: AuditRecord[]; sink: AuditSink; sealer: CheckpointSealer; chain: AuditChain }> {
  const key = plan.key ?? KEY;
  const chain = new AuditChain({ policyVersion: VERSION });
  const primary = new MemoryPrimary();
  const uart = new MemoryUart();
  let t = 0n;
  const now = (): bigint => (t += 1000n);
  const sink = new AuditSink({ chain, primary, uart, now, realNowMs: () => 0, uartBudget: plan.uartBudget ?? 64 });
  let calls = 0;
  let closing = false;
  // keystored is back by shutdown: failures hit only the seals made while deciding.
  const signer: CheckpointSigner = (message) =>
    !closing && plan.failSign?.(calls++) === true ? Promise.reject(new Error('keystored down')) : key.signer(message);
  const sealer = new CheckpointSealer({
    sink, signer, keyId: key.keyId, now, realNowMs: () => 0, schedule: false, everyRecords: plan.everyRecords ?? 4,
    ...(plan.bootId === undefined ? {} : { bootId: plan.bootId }),
  });
  for (const [i, input] of plan.inputs.entries()) {
    primary.refuse = plan.refuse?.[i] === true;
    sink.record(input);
    await tick();
  }
  primary.refuse = false;
  sink.retryPrimary();
  closing = true;
  if (plan.open !== true) await sealer.close();
  else await sink.flush();
  const records = [...primary.stored, ...uart.lines.map(parseRecordLine)].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  return { records, sink, sealer, chain };
}
