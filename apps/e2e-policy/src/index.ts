export { AuditReader, type ReadOutcome, type RecordTamper } from './audit-reader.js';
export {
  type BootedSystem,
  type BootOptions,
  bootSystem,
  type BundlePublisher,
  DURABLE_LOG_TIMEOUT_MS,
  LOG_TIMEOUT_MS,
  UART_BUDGET,
} from './boot-system.js';
export { checkAudited } from './check-audited.js';
export { defaultPolicyDir } from './default-policy-dir.js';
export { type ExpectedRecord, expectRecord } from './expect-record.js';
export { DEMO_BUNDLES, installDemoBundles } from './install-demo-bundles.js';
export { parseArgs, type SelftestArgs } from './parse-args.js';
export { phaseAudit } from './phase-audit.js';
export { phaseBringup } from './phase-bringup.js';
export { marker, type MarkerOutcome, type Phase, type PhaseContext } from './phase-context.js';
export { phaseExec } from './phase-exec.js';
export { phaseFaults } from './phase-faults.js';
export {
  FLOOD_ANSWER_BOUND_MS,
  FLOOD_RECOVERY_BOUND_MS,
  type FloodReport,
  floodVerdict,
  hostileRouteDenied,
  phaseFlood,
  runFlood,
} from './phase-flood.js';
export { phaseKeystored } from './phase-keystored.js';
export { orderPhases, PHASE_NAMES, phaseName, type PhaseName } from './phase-name.js';
export { phasePolicy } from './phase-policy.js';
export { phaseRouting } from './phase-routing.js';
export { PolicyProbe, type ProbeAnswer } from './policy-probe.js';
export { publishBundle, type PublishedBundle } from './publish-bundle.js';
export { nodeIo, runMain } from './run-main.js';
export {
  type PhaseReport,
  runSelftest,
  type SelftestIo,
  type SelftestOptions,
  type SelftestReport,
} from './run-selftest.js';
export { CLIENT_TIMEOUT_MS, SelftestClient } from './selftest-client.js';
export { SelftestError, type SelftestErrorCode } from './selftest-error.js';
export { SerialLine, type SerialLineBounds } from './serial-line.js';
export { syncJournal } from './sync-journal.js';
