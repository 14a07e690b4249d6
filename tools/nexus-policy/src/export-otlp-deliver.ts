import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** How `deliverOtlp` sends: where, how many tries per batch, and the backoff between them. */
export interface DeliveryOptions {
  /** The OTLP/HTTP logs URL, e.g. `http://127.0.0.1:4318/v1/logs`. */
  readonly url: string;
  /** Tries per batch (first try included), at least 1. */
  readonly attempts: number;
  /** The wait before the first retry; doubled after each failed try, at most 30 s. */
  readonly backoffMs: number;
  /** How long one try may take. */
  readonly timeoutMs: number;
  /** Called before each retry (for progress on stderr). */
  readonly onRetry?: (batch: number, attempt: number, error: string) => void;
}

/** What a delivery did: batches and records delivered, and the failure that stopped it, if any. */
export interface DeliveryResult {
  readonly batches: number;
  readonly records: number;
  readonly tries: number;
  readonly failure: { readonly batch: number; readonly error: string } | undefined;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * POSTs batches of log records to an OTLP/HTTP endpoint with the OpenTelemetry logs exporter
 * (OTLP/JSON), in order, one batch at a time. A batch that fails is retried with exponential
 * backoff up to `attempts` tries (on top of the exporter's own retries of 429/502/503/504 within
 * its timeout); when it still fails, delivery stops there (later batches are not sent, so the
 * collector's copy is a prefix of the journal, never a copy with holes) and the failure is returned.
 *
 * @example
 * const result = await deliverOtlp([logs], { url: 'http://127.0.0.1:4318/v1/logs', attempts: 5, backoffMs: 500, timeoutMs: 10_000 });
 * if (result.failure) process.exitCode = 1;
 */
export async function deliverOtlp(batches: readonly (readonly ReadableLogRecord[])[], options: DeliveryOptions): Promise<DeliveryResult> {
  const exporter = new OTLPLogExporter({ url: options.url, timeoutMillis: options.timeoutMs });
  let records = 0;
  let tries = 0;
  try {
    for (const [index, batch] of batches.entries()) {
      let backoff = options.backoffMs;
      let error = '';
      let delivered = false;
      for (let attempt = 1; attempt <= options.attempts && !delivered; attempt++) {
        if (attempt > 1) {
          options.onRetry?.(index + 1, attempt, error);
          await new Promise((resolve) => setTimeout(resolve, backoff));
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        }
        tries++;
        const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) => exporter.export([...batch], resolve));
        delivered = result.code === ExportResultCode.SUCCESS;
        // The exporter frees its slot for the request only after the callback: let it, before the next.
        await new Promise((resolve) => setImmediate(resolve));
        if (!delivered) error = result.error?.message ?? 'export failed';
      }
      if (!delivered) return { batches: index, records, tries, failure: { batch: index + 1, error } };
      records += batch.length;
    }
    return { batches: batches.length, records, tries, failure: undefined };
  } finally {
    await exporter.shutdown();
  }
}
