import { basename } from 'node:path';
import type { AuditRecord } from '@nexus/audit';
import { hexU64, isServiceName } from '@nexus/ipc';
import { PolicyError, serviceIdFromName, type Policy, type Rule } from '@nexus/sel';
import { asciiJson } from './ascii-json.js';
import { CliError } from './cli-error.js';
import { CommandArgs } from './command-args.js';
import { formatTable } from './format-table.js';
import { readJournalInputs, type JournalInput } from './journal-input.js';
import { DEFAULT_POLICY_DIR, loadPolicy } from './load-policy.js';
import type { CliIo } from './cli-io.js';
import { printable } from './printable.js';
import { formatRule, ruleJson, type RuleJson } from './rule-location.js';

const SERVICE_ID = /^0x[0-9a-fA-F]{1,16}$/;

/**
 * `nexus-policy audit show FILE [--subject S] [--decision D] [--policy DIR]`: the records as a
 * table (or `--json`), every field escaped. Subjects are named from the policy in DIR (default
 * `recipes/policy`; when that default cannot be loaded, ids stay bare and a note says why), and a
 * record decided under that very policy (same version) shows its rule as `file:line:col` with the
 * rule's text. Ids print as `0x` + 16 hex digits in text and JSON alike. Exit 0.
 *
 * @example
 * await auditShow(['audit.journal', '--policy', 'recipes/policy'], io); // 0
 */
export async function auditShow(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse(
    'audit show',
    argv,
    { subject: { type: 'string' }, decision: { type: 'string' }, policy: { type: 'string' } },
    { min: 1, max: 1 },
  );
  const subject = subjectFilter(args.string('subject'));
  const decision = args.string('decision');
  if (decision !== undefined && decision !== 'allow' && decision !== 'deny') {
    throw new CliError('USAGE', `audit show: --decision must be allow or deny, got "${printable(String(decision).slice(0, 32))}"`);
  }
  const path = args.positionals[0] ?? '';
  // A file is one journal; a logd state dir one per boot.
  const { inputs, recovery } = await readJournalInputs(path, io);
  const shownOf = ({ journal: { entries, bad } }: JournalInput): AuditRecord[] => {
    if (bad !== undefined) {
      throw new CliError('JOURNAL', `not a journal: ${printable(bad.detail)} (audit verify classifies it)`, { file: printable(path), line: bad.line });
    }
    return entries
      .map((e) => e.record)
      .filter(
        (r) =>
          (subject === undefined || (r.kind === 'decision' && r.subjectId === subject)) &&
          (decision === undefined || (r.kind === 'decision' && r.decision === decision)),
      );
  };
  const boots = inputs.map((input) => ({ input, shown: shownOf(input) }));
  const { policy, note } = await namingPolicy(args.string('policy'), io);
  if (note !== undefined && !args.json) io.stderr(`note: ${note}\n`);
  const columns = ['seq', 'time', 'op', 'subject', 'action', 'target', 'decision', 'reason', 'rule'];
  if (recovery === undefined) {
    const shown = boots[0]?.shown ?? [];
    if (args.json) {
      io.stdout(asciiJson({ file: path, policy: policy?.version ?? null, note: note ?? null, records: shown.map((r) => recordJson(r, policy)) }));
      return 0;
    }
    io.stdout(formatTable(columns, shown.map((r) => row(r, policy))));
    return 0;
  }
  if (args.json) {
    const json = boots.map(({ input, shown }) => ({ boot: input.boot?.ordinal, bootId: input.boot?.bootId ?? null, records: shown.map((r) => recordJson(r, policy)) }));
    io.stdout(asciiJson({ dir: path, policy: policy?.version ?? null, note: note ?? null, boots: json }));
    return 0;
  }
  io.stdout(boots.map(({ input, shown }) => `${input.label}\n${formatTable(columns, shown.map((r) => row(r, policy)))}`).join('\n'));
  return 0;
}

/** The policy that names subjects: an explicit `--policy` must load; the default may be absent. */
async function namingPolicy(dir: string | undefined, io: CliIo): Promise<{ policy: Policy | undefined; note: string | undefined }> {
  if (dir !== undefined) return { policy: await loadPolicy(dir, io), note: undefined };
  try {
    return { policy: await loadPolicy(DEFAULT_POLICY_DIR, io), note: undefined };
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    const cause = printable(error.message.split('\n')[0]?.slice(0, 160) ?? '');
    return { policy: undefined, note: `subjects not named (${cause}); give --policy DIR` };
  }
}

function subjectFilter(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  const shown = printable(text.slice(0, 64));
  if (SERVICE_ID.test(text)) return BigInt(text);
  if (isServiceName(text)) return serviceIdFromName(text);
  throw new CliError('USAGE', `audit show: --subject must be a service name or 0x<hex id>, got "${shown}"`);
}

/**
 * The rule that decided `r` under `policy`, only when the record was decided under this very
 * policy and names the same `file:line`: a rule found by decision alone could be another policy's.
 */
function decidingRule(r: AuditRecord, policy: Policy | undefined): Rule | undefined {
  if (policy === undefined || r.kind !== 'decision' || r.rule === undefined || r.policyVersion !== policy.version) return undefined;
  const rule = policy.decide({ subject: r.subjectId, action: r.action, target: r.target }).rule;
  if (rule === undefined || `${basename(rule.file)}:${rule.line}` !== r.rule) return undefined;
  return rule;
}

function nameText(id: bigint, policy: Policy | undefined): string {
  const name = policy?.nameOf(id);
  return name === undefined ? hexU64(id) : printable(name);
}

/** One table row; every field that came from the file goes through `printable`. */
function row(r: AuditRecord, policy: Policy | undefined): string[] {
  const time = `${r.timestampNs / 1_000_000_000n}.${(r.timestampNs % 1_000_000_000n).toString().padStart(9, '0')}s`;
  const control = (what: string): string[] => [`${r.seq}`, time, r.kind, '-', what, '-', '-', '-', '-'];
  if ((r.kind === 'audit-lost' || r.kind === 'audit-evicted') && r.lost !== undefined) {
    return control(`${r.kind === 'audit-lost' ? 'lost' : 'evicted'} seq ${r.lost.fromSeq}..${r.lost.toSeq} (${r.lost.count})`);
  }
  if (r.kind === 'sink-switch') return control(`to ${r.sink ?? '?'}`);
  if (r.kind === 'checkpoint' && r.checkpoint !== undefined) {
    return control(`${r.checkpoint.signature === undefined ? 'unsealed' : 'sealed'} through seq ${r.checkpoint.headSeq}`);
  }
  const rule = decidingRule(r, policy);
  return [
    `${r.seq}`,
    time,
    r.op,
    nameText(r.subjectId, policy),
    r.action === '' ? '-' : printable(r.action),
    r.target === undefined ? '-' : printable(r.target),
    r.decision,
    r.reason,
    rule !== undefined ? printable(formatRule(rule)) : r.rule === undefined ? '-' : printable(r.rule),
  ];
}

/** The JSON form of a record: ids as in the table (`0x` + 16 hex), plus the names and rule found. */
function recordJson(r: AuditRecord, policy: Policy | undefined): Record<string, unknown> {
  const id = (value: bigint | undefined): string | null => (value === undefined ? null : hexU64(value));
  const name = (value: bigint | undefined): string | null => (value === undefined ? null : (policy?.nameOf(value) ?? null));
  const ruleAt: RuleJson | null = ruleJson(decidingRule(r, policy));
  return {
    ...r,
    subjectId: id(r.subjectId),
    senderId: id(r.senderId),
    claimedId: id(r.claimedId),
    subject: name(r.subjectId),
    sender: name(r.senderId),
    ruleAt,
  };
}
