import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '@nexus/audit';
import { generateKeyPairSync, sign } from 'node:crypto';
import { checkpointMessageOf, decodeRecord, encodeRecord, loadAuditPublicKey, readJournal, verifyJournalText } from '@nexus/audit';
import { afterAll, describe, expect, test } from 'vitest';
import { defaultPolicyDir } from './default-policy-dir.js';
import { PHASE_NAMES } from './phase-name.js';
import { runMain } from './run-main.js';
import { runSelftest, type SelftestIo, type SelftestOptions } from './run-selftest.js';

const ALL_MARKERS = [
  'bringup',
  'bundlemgrd route execd denied',
  'policy allow audit',
  'policy deny audit',
  'policyd requester spoof denied',
  'policy malformed',
  'keystored sign denied',
  'keystored key export denied',
  'exec denied',
  'exec allowed',
  'bundle system name denied',
  'audit chain verify',
  'audit checkpoint signed',
  'audit durable',
  'policy learn',
  'policy shadow',
  'flood contained',
  'audit uart fallback',
  'policyd down fail-closed',
];

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function memoryIo(): SelftestIo & { readonly lines: string[]; readonly files: Map<string, string> } {
  const lines: string[] = [];
  const files = new Map<string, string>();
  return { lines, files, print: (line) => lines.push(line), writeFile: (path, text) => void files.set(path, text) };
}

/** A temp copy of recipes/policy, changed by `edit` (file name → new text, or undefined to keep). */
function policyCopy(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-policy-'));
  temps.push(dir);
  cpSync(defaultPolicyDir(), dir, { recursive: true });
  edit(dir);
  return dir;
}

async function run(options: Partial<SelftestOptions> = {}): Promise<{ report: Awaited<ReturnType<typeof runSelftest>>; io: ReturnType<typeof memoryIo> }> {
  const io = memoryIo();
  const report = await runSelftest({ phases: [], policyDir: defaultPolicyDir(), ...options }, io);
  return { report, io };
}

describe(runSelftest, () => {
  test('every phase on the shipped policy earns every marker, in order, and exits 0', async () => {
    const { report, io } = await run({ jsonOut: 'report.json', auditOut: 'audit.jsonl', uartOut: 'uart.txt' });
    expect(report.failed).toEqual([]);
    expect(report.earned).toEqual(ALL_MARKERS);
    expect(report.exitCode).toBe(0);
    expect(io.lines[0]).toMatch(/^policyd: ready \(ver=[0-9a-f]{8}\)$/);
    expect(io.lines.slice(1)).toEqual([...ALL_MARKERS.map((m) => `SELFTEST: ${m} ok`), `SELFTEST: ${ALL_MARKERS.length} markers ok`]);
    expect(JSON.parse(io.files.get('report.json') ?? '{}')).toMatchObject({ exitCode: 0, policyVersion: report.policyVersion });
  });

  test('two runs print identical bytes', async () => {
    const first = await run();
    const second = await run();
    expect(second.io.lines.join('\n')).toBe(first.io.lines.join('\n'));
  });

  test('test_reject_console_leak: no console line carries a reason, a rule, a policy file or a full version', async () => {
    const { io } = await run();
    for (const line of io.lines) {
      expect(line).not.toMatch(/reason|rule|\.toml|sha256|deny-rule|no-rule|identity-mismatch|audit v[0-9]/);
    }
  });

  test('--audit-out writes a journal that chains from seq 1 offline, across the logd crash (no seals yet: unsigned)', async () => {
    const { io } = await run({ auditOut: 'audit.journal', uartOut: 'uart.txt' });
    const text = io.files.get('audit.journal') ?? '';
    const records = readJournal(text);
    expect(verifyChain(records, undefined, { fromStart: true })).toMatchObject({ ok: true });
    expect(verifyJournalText(text, { allowUnsigned: true })).toMatchObject({ status: 'ok' });
    expect(verifyJournalText(text, {})).toMatchObject({ status: 'unverified', reason: 'no-trust-anchor' });
    expect(records.some((r) => r.kind === 'audit-lost')).toBe(true);
    expect(io.files.get('uart.txt')).toMatch(/^audit v2 /);
  });

  test('test_reject_sign_grant: a policy granting crypto.sign to the client loses the keystored marker, exit 1', async () => {
    const policyDir = policyCopy((dir) => writeFileSync(join(dir, 'zz-grant.toml'), '[allow]\nselftest-client = ["crypto.sign"]\n'));
    const { report, io } = await run({ policyDir, phases: ['keystored'] });
    expect(report.exitCode).toBe(1);
    expect(report.earned).not.toContain('keystored sign denied');
    expect(io.lines).toContain('SELFTEST: FAIL keystored sign denied: sign was allowed');
  });

  test('test_reject_route_grant: a policy letting bundlemgrd route to execd fails the route marker', async () => {
    const policyDir = policyCopy((dir) => {
      const file = join(dir, 'authority.toml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('bundlemgrd = ["ipc.route@execd"]', ''));
      writeFileSync(join(dir, 'zz-grant.toml'), '[allow]\nbundlemgrd = ["ipc.route@execd"]\n');
    });
    const { report, io } = await run({ policyDir, phases: ['routing'] });
    expect(report.exitCode).toBe(1);
    expect(io.lines).toContain('SELFTEST: FAIL bundlemgrd route execd denied: bundlemgrd was handed a right to execd');
  });

  test.each([
    {
      name: 'test_reject_system_name_grant',
      // The client is handed the explicit grant the restriction asks for.
      edit: (dir: string): void => writeFileSync(join(dir, 'zz-grant.toml'), '[allow]\nselftest-client = ["bundle.install@samgrd"]\n'),
      cause: 'the install was allowed',
    },
    {
      name: 'test_reject_unrestricted_system_name',
      // Without the restriction, the client's untargeted bundle.install covers the name (the old hole).
      edit: (dir: string): void => {
        const file = join(dir, 'authority.toml');
        const text = readFileSync(file, 'utf8');
        expect(text).toMatch(/^\s*"samgrd",\n/m);
        writeFileSync(file, text.replace(/^\s*"samgrd",\n/m, ''));
      },
      cause: 'the install was allowed',
    },
    {
      name: 'test_reject_denied_by_other_rule',
      // Still DENY and not installed, but by an explicit deny: not the restriction the marker proves.
      edit: (dir: string): void => writeFileSync(join(dir, 'zz-deny.toml'), '[deny]\nselftest-client = ["bundle.install@samgrd"]\n'),
      cause: 'audit record has an unexpected reason',
    },
  ])('$name: the system name marker fails, exit 1', async ({ edit, cause }) => {
    const { report, io } = await run({ policyDir: policyCopy(edit), phases: ['exec'] });
    expect(report.exitCode).toBe(1);
    expect(report.earned).toEqual(['exec denied', 'exec allowed']);
    expect(io.lines).toContain(`SELFTEST: FAIL bundle system name denied: ${cause}`);
  });

  test('test_reject_tampered_record: a byte flipped in one record read back fails the chain marker', async () => {
    // Byte 20 lies in the record's timestamp: the record still decodes, only its hash no longer matches.
    const tamper = (index: number, bytes: Uint8Array): Uint8Array => (index === 3 ? bytes.map((b, i) => (i === 20 ? b ^ 1 : b)) : bytes);
    const { report, io } = await run({ phases: ['bringup', 'policy', 'audit'], tamper });
    expect(report.exitCode).toBe(1);
    expect(report.earned).not.toContain('audit chain verify');
    expect(io.lines.find((l) => l.startsWith('SELFTEST: FAIL audit chain verify:'))).toMatch(/hash-mismatch/);
  });

  test('test_reject_foreign_seal_read_back: a seal re-signed by another key in logd fails the signed marker, exit 1', async () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    let forged = 0;
    const tamper = (_index: number, bytes: Uint8Array): Uint8Array => {
      const r = decodeRecord(bytes);
      if (r.checkpoint?.signature === undefined) return bytes;
      forged++;
      return encodeRecord({ ...r, checkpoint: { ...r.checkpoint, signature: new Uint8Array(sign(null, checkpointMessageOf(r), other)) } });
    };
    const { report, io } = await run({ phases: ['bringup', 'policy', 'audit'], tamper });
    expect(forged).toBeGreaterThan(0);
    expect(report.exitCode).toBe(1);
    expect(report.earned).not.toContain('audit checkpoint signed');
    // The copy no longer matches policyd's chain (the seal is in the record's hash): either break fails it.
    expect(io.lines.find((l) => l.startsWith('SELFTEST: FAIL audit checkpoint signed:'))).toMatch(/hash-mismatch|bad-seal/);
  });

  test('--audit-key-out writes the audit key as SPKI PEM; the --audit-out journal verifies under it with no tail', async () => {
    const { report, io } = await run({ auditOut: 'j', auditKeyOut: 'k.pem' });
    expect(report.exitCode).toBe(0);
    const key = loadAuditPublicKey(io.files.get('k.pem') ?? '');
    expect(verifyJournalText(io.files.get('j') ?? '', { publicKey: key })).toMatchObject({ status: 'ok', tail: 0 });
  });

  test('test_reject_broken_policy: a TOML syntax error exits 2 and prints its file:line:col', async () => {
    const policyDir = policyCopy((dir) => writeFileSync(join(dir, 'broken.toml'), '[allow]\nselftest-client = ["ipc.core"\n'));
    const { report, io } = await run({ policyDir });
    expect(report.exitCode).toBe(2);
    expect(io.lines).toHaveLength(1);
    expect(io.lines[0]).toMatch(/^SELFTEST: configuration error: .*broken\.toml:\d+:\d+: TOML_SYNTAX/);
  });

  test('test_reject_unknown_phase: an unknown phase exits 2 before anything boots', async () => {
    const { report, io } = await run({ phases: ['nope'] });
    expect(report.exitCode).toBe(2);
    expect(io.lines).toEqual([`SELFTEST: configuration error: unknown phase "nope" (phases: ${PHASE_NAMES.join(', ')})`]);
  });

  test.each(PHASE_NAMES.map((phase) => [phase]))('phase %s runs on its own', async (phase) => {
    const { report } = await run({ phases: [phase] });
    expect(report.failed).toEqual([]);
    expect(report.earned.length).toBeGreaterThan(0);
  });
});

describe(runMain, () => {
  test.each([
    [['--phase', 'nope'], {}],
    [[], { RUN_PHASE: 'policy,nope' }],
    [['--bogus'], {}],
  ])('test_reject_bad_argument: %j %j exits 2', async (argv, env) => {
    const io = memoryIo();
    expect(await runMain(argv, env, io)).toBe(2);
    expect(io.lines[0]).toMatch(/^SELFTEST: configuration error: /);
  });

  test('RUN_PHASE selects phases', async () => {
    const io = memoryIo();
    expect(await runMain([], { RUN_PHASE: 'keystored' }, io)).toBe(0);
    expect(io.lines.at(-1)).toBe('SELFTEST: 2 markers ok');
  });

  test('RUN_PHASE=exec prints the system name marker after both exec markers', async () => {
    const io = memoryIo();
    expect(await runMain([], { RUN_PHASE: 'exec' }, io)).toBe(0);
    expect(io.lines.slice(1)).toEqual([
      'SELFTEST: exec denied ok',
      'SELFTEST: exec allowed ok',
      'SELFTEST: bundle system name denied ok',
      'SELFTEST: 3 markers ok',
    ]);
  });
});
