import { join } from 'node:path';
import { AuditBoots } from './audit-boots.js';
import { auditItemOf } from './journal-items.js';
import { recoverJournal, type JournalRecovery } from './recover-journal.js';

/**
 * One boot's records in a logd state dir, as stored (binary audit records, id order).
 *
 * @example
 * const boot: StateDirBoot = { ordinal: 0, bootId: 'ab…', records: [bytes] };
 */
export interface StateDirBoot {
  readonly ordinal: number;
  readonly bootId: string | undefined;
  readonly records: readonly Uint8Array[];
}

/**
 * Reads the audit journal of a logd state dir without changing anything (no truncation, no
 * removal: a tool may read a dir a logd is using or one kept as evidence), split into boots.
 * `report` says what a start would repair (torn tail) and every corruption. Throws `LogdError`
 * for a folder that is not a logd state dir.
 *
 * @example
 * const { boots, report } = readAuditStateDir('/var/lib/logd');
 * boots.map((b) => b.records.length);
 */
export function readAuditStateDir(stateDir: string): { readonly boots: readonly StateDirBoot[]; readonly report: JournalRecovery } {
  const tracker = new AuditBoots();
  const byBoot = new Map<number, Uint8Array[]>();
  const { report } = recoverJournal(
    join(stateDir, 'audit'),
    'audit',
    (id, _ts, body) => {
      const bytes = Uint8Array.prototype.slice.call(body);
      let item;
      try {
        item = auditItemOf(bytes);
      } catch {
        return false;
      }
      const boot = tracker.observe(id, item);
      const list = byBoot.get(boot) ?? [];
      list.push(bytes);
      byBoot.set(boot, list);
      return { boot, seq: item.seq };
    },
    { readOnly: true },
  );
  const { boots } = tracker.list();
  return {
    boots: boots.map((b) => Object.freeze({ ordinal: b.ordinal, bootId: b.bootId, records: byBoot.get(b.ordinal) ?? [] })),
    report,
  };
}
