import { BoundedMemo, hexU64, serviceIdFromName } from '@nexus/ipc';
import { AUDIT_LIMITS, type AuditRecord } from './audit-record.js';
import { checkpointMessageOf } from './encode-record.js';
import { toHex } from './hex.js';
import { validateRecord } from './validate-record.js';

/** Bounds the target cache: at most this many names (each ≤ 64 bytes). */
const MAX_CACHED_TARGETS = 256;
// Summaries go out with every record to logd; hashing the target (UTF-8 encode + FNV-1a) each time
// cost more than the rest of the line, and targets repeat from the policy's small set.
const targetHex = new BoundedMemo(MAX_CACHED_TARGETS, (target: string) => hexU64(serviceIdFromName(target)));

/**
 * The original's line: `audit v2 op=<op> decision=<allow|deny> subject=0x<16 hex>
 * [target=0x<16 hex of serviceIdFromName(target)>] reason=<reason>`. At most 125 bytes; used as
 * the logd message text.
 *
 * @example
 * formatRecordSummary(record); // 'audit v2 op=check decision=allow subject=0x866cecf1b02a841b reason=policy-allow'
 */
export function formatRecordSummary(r: AuditRecord): string {
  validateRecord(r);
  const target = r.target === undefined ? '' : ` target=${targetHex.get(r.target)}`;
  return `audit v${AUDIT_LIMITS.version} op=${r.op} decision=${r.decision} subject=${hexU64(r.subjectId)}${target} reason=${r.reason}`;
}

/**
 * The full text record: the summary prefix, then `key=value` pairs for every other field in a
 * fixed order: `seq ts sender [claimed] kind action [tname] [rule] ver [nonce] [mode] [shadow] [lost]
 * [sink] [cp] [sig] prev hash`; `shadow` is `decision:reason:<64 hex of the candidate version>`.
 * Strings are percent-encoded (`encodeURIComponent`), so spaces and `=` cannot split a pair; `lost` is `from:to:count:decisions:beforeHashHex:lastHashHex`; `cp` is the hex of
 * the exact signed checkpoint message and `sig` the hex of its Ed25519 signature (absent on an
 * unsealed checkpoint). `parseRecordLine` inverts it exactly.
 *
 * @example
 * parseRecordLine(formatRecordLine(record)); // deep-equals record
 */
export function formatRecordLine(r: AuditRecord): string {
  let line = `${formatRecordSummary(r)} seq=${r.seq} ts=${r.timestampNs} sender=${hexU64(r.senderId)}`;
  if (r.claimedId !== undefined) line += ` claimed=${hexU64(r.claimedId)}`;
  line += ` kind=${r.kind} action=${encodeURIComponent(r.action)}`;
  if (r.target !== undefined) line += ` tname=${encodeURIComponent(r.target)}`;
  if (r.rule !== undefined) line += ` rule=${encodeURIComponent(r.rule)}`;
  line += ` ver=${r.policyVersion}`;
  if (r.nonce !== undefined) line += ` nonce=${hexU64(r.nonce)}`;
  if (r.mode !== undefined) line += ` mode=${r.mode}`;
  if (r.shadow !== undefined) line += ` shadow=${r.shadow.decision}:${r.shadow.reason}:${r.shadow.policyVersion.slice('sha256:'.length)}`;
  if (r.lost !== undefined) {
    const l = r.lost;
    line += ` lost=${l.fromSeq}:${l.toSeq}:${l.count}:${l.decisions}:${toHex(l.beforeHash)}:${toHex(l.lastHash)}`;
  }
  if (r.sink !== undefined) line += ` sink=${r.sink}`;
  if (r.checkpoint !== undefined) {
    line += ` cp=${toHex(checkpointMessageOf(r))}`;
    if (r.checkpoint.signature !== undefined) line += ` sig=${toHex(r.checkpoint.signature)}`;
  }
  return `${line} prev=${toHex(r.prevHash)} hash=${toHex(r.hash)}`;
}
