import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One OTLP/JSON AnyValue as the wire carries it. */
export type AnyValue = { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };

/** One received log record (the OTLP/JSON field names). */
export interface ReceivedLog {
  readonly resource: Record<string, AnyValue>;
  readonly timeUnixNano: string;
  readonly severityText: string;
  readonly body: string;
  readonly attributes: Record<string, AnyValue>;
}

/** An OTLP/HTTP logs receiver on 127.0.0.1 that answers requests as `respond` says. */
export interface OtlpReceiver {
  readonly url: string;
  readonly requests: number;
  readonly logs: readonly ReceivedLog[];
  close(): Promise<void>;
}

function attributes(list: readonly { key: string; value: AnyValue }[] | undefined): Record<string, AnyValue> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, value]));
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts a receiver that implements OTLP/HTTP's logs endpoint (POST /v1/logs, JSON): it decodes each
 * `ExportLogsServiceRequest` (resourceLogs → scopeLogs → logRecords) and answers with an
 * `ExportLogsServiceResponse`, or with the status `respond(n)` gives for the n-th request (1-based).
 * Listens on 127.0.0.1 only.
 */
export async function startOtlpReceiver(respond: (request: number) => number = () => 200): Promise<OtlpReceiver> {
  const logs: ReceivedLog[] = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const text = await body(req);
      requests++;
      const status = respond(requests);
      if (req.method !== 'POST' || req.url !== '/v1/logs' || req.headers['content-type'] !== 'application/json') {
        res.writeHead(404).end();
        return;
      }
      if (status !== 200) {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 13, message: 'receiver down' }));
        return;
      }
      const request = JSON.parse(text) as {
        resourceLogs: { resource: { attributes: { key: string; value: AnyValue }[] }; scopeLogs: { logRecords: { timeUnixNano: string; severityText: string; body: AnyValue; attributes: { key: string; value: AnyValue }[] }[] }[] }[];
      };
      for (const rl of request.resourceLogs) {
        for (const sl of rl.scopeLogs) {
          for (const lr of sl.logRecords) {
            logs.push({ resource: attributes(rl.resource.attributes), timeUnixNano: lr.timeUnixNano, severityText: lr.severityText, body: lr.body.stringValue ?? '', attributes: attributes(lr.attributes) });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ partialSuccess: {} }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    logs,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
