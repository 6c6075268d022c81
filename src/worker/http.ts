/**
 * The worker's own small HTTP listener (WORKER_HTTP_PORT): `GET /metrics` serves the process's
 * prom-client registry (system gauges, broker calls, Node defaults) followed by the Temporal SDK's
 * own worker metrics (task slots, poll latency, sticky cache), and `GET /health` answers liveness.
 *
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../config/logger.ts';
import { portInUse } from '../config/startup-error.ts';
import type { TemporalMetrics } from '../observability/temporal-metrics.ts';

export interface WorkerHttp {
  port: number;
  close(): Promise<void>;
}

export async function startWorkerHttp(port: number, host: string, registry: Registry, log: Logger, temporal?: TemporalMetrics): Promise<WorkerHttp> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(body + (temporal?.render() ?? '')),
        (err: unknown) => {
          log.warn({ err }, 'worker metrics could not be rendered');
          res.writeHead(500).end();
        },
      );
    } else if (path === '/health') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(portInUse(err, 'WORKER_HTTP_PORT', port)));
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  log.info({ port: actual }, `worker metrics on http://${host}:${actual}/metrics`);
  return {
    port: actual,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
