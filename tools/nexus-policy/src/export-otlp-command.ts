import { resolve } from 'node:path';
import type { Policy } from '@nexus/sel';
import { CliError } from './cli-error.js';
import { CommandArgs } from './command-args.js';
import { formatJson } from './format-json.js';
import { readJournalFile } from './journal-input.js';
import { loadPolicy } from './load-policy.js';
import type { CliIo } from './cli-io.js';
import { printable } from './printable.js';
import { deliverOtlp } from './export-otlp-deliver.js';
import { otlpJsonRequest, toOtlpLogRecords } from './export-otlp-records.js';

/**
 * Bounds of `audit export` options.
 *
 * @example
 * EXPORT_LIMITS.maxBatch; // 10000 records in one request at most
 */
export const EXPORT_LIMITS: { readonly maxBatch: number; readonly maxAttempts: number; readonly maxBackoffMs: number; readonly maxDevice: number } =
  Object.freeze({ maxBatch: 10_000, maxAttempts: 20, maxBackoffMs: 60_000, maxDevice: 128 });

const DEVICE = /^[\x21-\x7e]{1,128}$/;

function intFlag(args: CommandArgs, name: string, fallback: number, min: number, max: number): number {
  const text = args.string(name);
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new CliError('USAGE', `audit export: --${name} must be an integer from ${min} to ${max}, got "${printable(text.slice(0, 32))}"`);
  }
  return Number(text);
}

function endpointUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new CliError('USAGE', `audit export: --endpoint is not a URL: "${printable(text.slice(0, 64))}"`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError('USAGE', 'audit export: --endpoint must be an http:// or https:// URL');
  if (url.username !== '' || url.password !== '') throw new CliError('USAGE', 'audit export: --endpoint must not carry credentials');
  // A bare collector address gets the OTLP/HTTP logs path, as the OpenTelemetry exporters do for a base endpoint.
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/logs';
  return url.href;
}

/**
 * `nexus-policy audit export --format otlp [--endpoint URL] [-o FILE] [--device ID] [--policy DIR]
 * [--batch N] [--retries N] [--backoff-ms MS] JOURNAL`: every record of the journal as an
 * OpenTelemetry log record (see `toOtlpLogRecords`), in batches of `--batch` (default 512). Without
 * `--endpoint`: OTLP/JSON, one `ExportLogsServiceRequest` per line (the layout the Collector's
 * `otlpjsonfile` receiver reads), to stdout or `-o FILE`. With `--endpoint`: POSTed with the
 * OpenTelemetry OTLP/HTTP logs exporter, each batch retried with backoff; exit 1 when a batch is
 * not delivered (nothing after it is sent). A journal with a line that does not parse is refused
 * (exit 2, as `audit show`). `--policy` names subjects (`nexus.audit.subject.name`).
 *
 * @example
 * await auditExportCommand(['--format', 'otlp', '--endpoint', 'http://127.0.0.1:4318', 'audit.journal'], io); // 0
 */
export async function auditExportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = CommandArgs.parse(
    'audit export',
    argv,
    {
      format: { type: 'string' },
      endpoint: { type: 'string' },
      output: { type: 'string', short: 'o' },
      device: { type: 'string' },
      policy: { type: 'string' },
      batch: { type: 'string' },
      retries: { type: 'string' },
      'backoff-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
    { min: 1, max: 1 },
  );
  const format = args.required('audit export', 'format');
  if (format !== 'otlp') throw new CliError('USAGE', `audit export: --format must be otlp, got "${printable(format.slice(0, 32))}"`);
  const endpoint = args.string('endpoint');
  const output = args.string('output');
  if (endpoint !== undefined && output !== undefined) throw new CliError('USAGE', 'audit export: give --endpoint or -o, not both');
  const device = args.string('device') ?? 'unknown';
  if (!DEVICE.test(device)) throw new CliError('USAGE', `audit export: --device must be 1..${EXPORT_LIMITS.maxDevice} printable ASCII characters`);
  const batchSize = intFlag(args, 'batch', 512, 1, EXPORT_LIMITS.maxBatch);
  const attempts = intFlag(args, 'retries', 4, 0, EXPORT_LIMITS.maxAttempts) + 1;
  const backoffMs = intFlag(args, 'backoff-ms', 500, 1, EXPORT_LIMITS.maxBackoffMs);
  const timeoutMs = intFlag(args, 'timeout-ms', 10_000, 100, 120_000);
  const url = endpoint === undefined ? undefined : endpointUrl(endpoint);
  const policyDir = args.string('policy');
  const policy: Policy | undefined = policyDir === undefined ? undefined : await loadPolicy(policyDir, io);

  const path = args.positionals[0] ?? '';
  const { entries, bad } = await readJournalFile(path, io);
  if (bad !== undefined) {
    throw new CliError('JOURNAL', `not a journal: ${printable(bad.detail)} (audit verify classifies it)`, { file: printable(path), line: bad.line });
  }
  const records = entries.map((e) => e.record);
  const boot = records.find((r) => r.checkpoint !== undefined)?.checkpoint?.bootId;
  const logs = toOtlpLogRecords(records, {
    device,
    bootId: boot === undefined ? undefined : Buffer.from(boot).toString('hex'),
    ...(policy === undefined ? {} : { nameOf: (id: bigint) => policy.nameOf(id) }),
  });
  const batches: (typeof logs)[] = [];
  for (let i = 0; i < logs.length; i += batchSize) batches.push(logs.slice(i, i + batchSize));

  if (url === undefined) {
    const text = batches.map((b) => `${otlpJsonRequest(b)}\n`).join('');
    if (output === undefined) {
      io.stdout(text);
      return 0;
    }
    if (io.writeFile === undefined) throw new CliError('IO', 'audit export: this environment cannot write files');
    await io.writeFile(resolve(io.cwd, output), text);
    io.stderr(`exported ${records.length} records in ${batches.length} request(s) to ${printable(output)}\n`);
    return 0;
  }

  const result = await deliverOtlp(batches, {
    url,
    attempts,
    backoffMs,
    timeoutMs,
    onRetry: (batch, attempt, error) => io.stderr(`audit export: batch ${batch}: try ${attempt} of ${attempts} after: ${printable(error.slice(0, 200))}\n`),
  });
  const failed = result.failure;
  const seqRange = (batch: number): string => {
    const part = batches[batch - 1] ?? [];
    return `seq ${String(part[0]?.attributes['nexus.audit.seq'])}..${String(part.at(-1)?.attributes['nexus.audit.seq'])}`;
  };
  if (args.json) {
    io.stdout(formatJson({ endpoint: url, ok: failed === undefined, records: records.length, delivered: result.records, batches: batches.length, tries: result.tries, failure: failed ?? null }));
  } else if (failed === undefined) {
    io.stdout(`exported ${result.records} records in ${batches.length} batch(es) to ${printable(url)} (${result.tries} request(s))\n`);
  } else {
    io.stderr(
      `audit export: FAILED: batch ${failed.batch} of ${batches.length} (${seqRange(failed.batch)}) not delivered after ${attempts} tries: ${printable(failed.error.slice(0, 200))}\n` +
        `delivered: ${result.records} of ${records.length} records (batches 1..${result.batches}); nothing after the failed batch was sent\n`,
    );
  }
  return failed === undefined ? 0 : 1;
}
