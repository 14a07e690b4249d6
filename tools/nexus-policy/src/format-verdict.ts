import type { JournalVerdict } from '@nexus/audit';
import { printable } from './printable.js';

/**
 * The text `audit verify` prints for a verdict (the path already escaped).
 *
 * @example
 * formatVerdict('j.journal', verdict); // 'journal j.journal: ok\nrecords: 9, last seq: 9, sealed through seq 9 (3 seals)\n'
 */
export function formatVerdict(path: string, verdict: JournalVerdict): string {
  if (verdict.status === 'broken') {
    const at = verdict.seq === 0n ? `line ${verdict.line}` : `line ${verdict.line} (seq ${verdict.seq})`;
    return `journal ${path}: BROKEN at ${at}: ${verdict.kind}: ${printable(verdict.detail)}\n`;
  }
  if (verdict.status === 'unverified') {
    const hint = {
      'no-trust-anchor': ' (give --key PUBKEY.pem or --checkpoint FILE; --allow-unsigned accepts it unproved)',
      'no-seal': '',
      'unsealed-tail': ' (--allow-unsealed-tail accepts it)',
      empty: '',
    }[verdict.reason];
    return `journal ${path}: UNVERIFIED: ${printable(verdict.detail)}${hint}\nrecords: ${verdict.records}, verified through seq ${verdict.verifiedThrough}, unsealed: ${verdict.tail}\n`;
  }
  const warnings = verdict.warnings.map((w) => `warning: ${printable(w)}\n`).join('');
  return `journal ${path}: ok\nrecords: ${verdict.records}, last seq: ${verdict.lastSeq}, verified through seq ${verdict.verifiedThrough} (${verdict.seals} seals)\n${warnings}`;
}
