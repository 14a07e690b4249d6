import type { KeyObject } from 'node:crypto';
import { verifyJournal, type AuditRecord } from '@nexus/audit';

/**
 * The proof behind `SELFTEST: audit checkpoint signed ok`: `records` (seq order, as read back
 * through logd and the UART) verify with `@nexus/audit`'s `verifyJournal` under `publicKey` alone:
 * the chain from seq 1 with every declared loss bridged, every checkpoint of that key, every seal
 * valid, the seals linked, at least one seal, and NO unsealed tail (the last record is covered by a
 * seal). Returns `undefined` when all of that holds, or a one-line cause naming the break class,
 * never record content.
 *
 * @example
 * checkSignedJournal(reader.records(seq), key); // undefined, or e.g. 'signed journal broken (bad-seal at seq 12)'
 */
export function checkSignedJournal(records: readonly AuditRecord[], publicKey: KeyObject): string | undefined {
  const verdict = verifyJournal(records.map((record, i) => ({ line: i + 1, record })), { publicKey });
  if (verdict.status === 'broken') return `signed journal broken (${verdict.kind} at seq ${verdict.seq})`;
  if (verdict.status === 'unverified') return `signed journal unverified (${verdict.reason})`;
  if (verdict.seals === 0 || verdict.tail !== 0) return 'signed journal not covered by a seal';
  return undefined;
}
