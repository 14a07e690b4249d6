import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJournal } from '@nexus/audit';
import { PolicyError } from '@nexus/sel';
import { AuditReader, type RecordTamper } from './audit-reader.js';
import { bootSystem, type BootedSystem } from './boot-system.js';
import { phaseAudit } from './phase-audit.js';
import { phaseBringup } from './phase-bringup.js';
import { phaseDurable } from './phase-durable.js';
import type { MarkerOutcome, Phase, PhaseContext } from './phase-context.js';
import { phaseExec } from './phase-exec.js';
import { fetchAuditKey } from './fetch-audit-key.js';
import { phaseFaults } from './phase-faults.js';
import { phaseFlood } from './phase-flood.js';
import { orderPhases, phaseName, type PhaseName } from './phase-name.js';
import { phaseKeystored } from './phase-keystored.js';
import { phaseLearn } from './phase-learn.js';
import { phasePolicy } from './phase-policy.js';
import { phaseRouting } from './phase-routing.js';
import { phaseShadow } from './phase-shadow.js';
import { SelftestClient } from './selftest-client.js';
import { SelftestError } from './selftest-error.js';
import { syncJournal } from './sync-journal.js';

/**
 * What to run. `phases` empty = every phase.
 *
 * @example
 * const options: SelftestOptions = { phases: ['policy'], policyDir: '/repo/recipes/policy' };
 */
export interface SelftestOptions {
  readonly phases: readonly string[];
  readonly policyDir: string;
  readonly jsonOut?: string;
  readonly auditOut?: string;
  readonly uartOut?: string;
  readonly auditKeyOut?: string;
  /** A candidate policy directory policyd evaluates in shadow (`--shadow DIR`). */
  readonly shadowDir?: string;
  /** logd's state dir (its journals on disk, kept); absent: a fresh temporary one for this run. */
  readonly stateDir?: string;
  /** Keep the temporary state dir at the end (its path is printed). */
  readonly keepState?: boolean;
  /** Tests only: changes records as they are read back from logd. */
  readonly tamper?: RecordTamper;
}

/**
 * Where the selftest's output goes (injectable, so tests run it in-process).
 *
 * @example
 * const io: SelftestIo = { print: (l) => lines.push(l), writeFile: (p, t) => files.set(p, t) };
 */
export interface SelftestIo {
  /** One console line (stdout in the app). */
  print(line: string): void;
  writeFile(path: string, text: string): void | Promise<void>;
}

/**
 * The outcome of one phase, with the virtual time it took.
 *
 * @example
 * const p: PhaseReport = { phase: 'policy', virtualNs: '42000', markers: [{ name: 'policy allow audit' }] };
 */
export interface PhaseReport {
  readonly phase: PhaseName;
  /** Virtual kernel nanoseconds, decimal. */
  readonly virtualNs: string;
  readonly markers: readonly MarkerOutcome[];
}

/**
 * The result of a run: exit status 0 (every marker earned), 1 (a proof failed) or 2 (configuration
 * error), and what `--json` writes.
 *
 * @example
 * const report = await runSelftest(options, io); process.exitCode = report.exitCode;
 */
export interface SelftestReport {
  readonly exitCode: 0 | 1 | 2;
  readonly policyVersion?: string;
  readonly phases: readonly PhaseReport[];
  readonly earned: readonly string[];
  readonly failed: readonly { readonly marker: string; readonly cause: string }[];
  /** The configuration error, when `exitCode` is 2. */
  readonly error?: string;
}

const PHASES: Readonly<Record<PhaseName, Phase>> = {
  bringup: phaseBringup,
  routing: phaseRouting,
  policy: phasePolicy,
  keystored: phaseKeystored,
  exec: phaseExec,
  audit: phaseAudit,
  durable: phaseDurable,
  learn: phaseLearn,
  shadow: phaseShadow,
  flood: phaseFlood,
  faults: phaseFaults,
};

function configError(io: SelftestIo, error: unknown): SelftestReport {
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  io.print(`SELFTEST: configuration error: ${first}`);
  return { exitCode: 2, phases: [], earned: [], failed: [], error: first };
}

async function boot(options: SelftestOptions, io: SelftestIo): Promise<BootedSystem | SelftestError> {
  try {
    return await bootSystem({
      policyDir: options.policyDir,
      console: (line) => io.print(line),
      ...(options.shadowDir === undefined ? {} : { shadow: options.shadowDir }),
      ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    });
  } catch (error) {
    if (error instanceof PolicyError) return new SelftestError('POLICY', error.message, { cause: error });
    throw error;
  }
}

async function writeOutputs(options: SelftestOptions, io: SelftestIo, ctx: PhaseContext, report: SelftestReport): Promise<void> {
  if (options.uartOut !== undefined) {
    const lines = ctx.system.uart.lines();
    await io.writeFile(options.uartOut, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  }
  if (options.auditOut !== undefined) {
    if (ctx.system.policyd.task.alive) await syncJournal(ctx);
    const checkpoint = ctx.verified;
    await io.writeFile(options.auditOut, writeJournal(ctx.reader.records(checkpoint?.seq)));
  }
  if (options.auditKeyOut !== undefined && ctx.auditKey !== undefined) await io.writeFile(options.auditKeyOut, ctx.auditKey.pem);
  if (options.jsonOut !== undefined) await io.writeFile(options.jsonOut, `${JSON.stringify(report, null, 2)}\n`);
}

/**
 * Boots the whole system in one process and runs the selected phases in their fixed order, printing
 * `policyd: ready (ver=…)`, one `SELFTEST: <marker> ok` line per proof that ran and held (or
 * `SELFTEST: FAIL <marker>: <cause>`), then a summary line. Console lines are deterministic and carry
 * no policy details, reasons or key material. Never throws for a failed proof: that is exit status 1;
 * an unknown phase or a policy that does not compile is exit status 2.
 *
 * @example
 * const report = await runSelftest({ phases: [], policyDir }, { print: console.log, writeFile });
 */
export async function runSelftest(options: SelftestOptions, io: SelftestIo): Promise<SelftestReport> {
  let phases: readonly PhaseName[];
  try {
    phases = orderPhases(options.phases.map(phaseName));
  } catch (error) {
    if (error instanceof SelftestError) return configError(io, error);
    throw error;
  }
  if (options.stateDir !== undefined) return runBooted(options, phases, io);
  // logd keeps its journals on disk in every run: by default in a fresh folder of its own.
  const stateDir = await mkdtemp(join(tmpdir(), 'nexus-e2e-state-'));
  try {
    return await runBooted({ ...options, stateDir }, phases, io);
  } finally {
    if (options.keepState === true) io.print(`SELFTEST: state kept in ${stateDir}`);
    else await rm(stateDir, { recursive: true, force: true });
  }
}

async function runBooted(options: SelftestOptions, phases: readonly PhaseName[], io: SelftestIo): Promise<SelftestReport> {
  const system = await boot(options, io);
  if (system instanceof SelftestError) return configError(io, system);

  const ctx: PhaseContext = {
    system,
    client: new SelftestClient(system.client, system.clientRouter),
    reader: new AuditReader(options.tamper),
    installed: undefined,
    verified: undefined,
  };
  const reports: PhaseReport[] = [];
  const earned: string[] = [];
  const failed: { marker: string; cause: string }[] = [];
  if (options.auditKeyOut !== undefined) {
    // Fetched before any phase (the fault phase ends with policyd down, and routing needs it).
    const key = await fetchAuditKey(ctx);
    if (typeof key === 'string') {
      failed.push({ marker: 'audit key out', cause: key });
      io.print(`SELFTEST: FAIL audit key out: ${key}`);
    }
  }
  for (const phase of phases) {
    const started = system.kernel.clock.now();
    const markers = await PHASES[phase](ctx);
    for (const m of markers) {
      if (m.cause === undefined) {
        earned.push(m.name);
        io.print(`SELFTEST: ${m.name} ok`);
      } else {
        failed.push({ marker: m.name, cause: m.cause });
        io.print(`SELFTEST: FAIL ${m.name}: ${m.cause}`);
      }
    }
    reports.push({ phase, virtualNs: String(system.kernel.clock.now() - started), markers });
  }
  io.print(failed.length === 0 ? `SELFTEST: ${earned.length} markers ok` : `SELFTEST: ${failed.length} of ${earned.length + failed.length} markers failed`);
  const report: SelftestReport = {
    exitCode: failed.length === 0 ? 0 : 1,
    policyVersion: system.policyd.version,
    phases: reports,
    earned,
    failed,
  };
  await writeOutputs(options, io, ctx, report);
  // Every write in flight reaches the disk before the state dir may be removed.
  await system.logd.close();
  return report;
}
