/**
 * API entry (`npm run api`): serves HTTP against DATABASE_URL and TEMPORAL_ADDRESS. Stops cleanly
 * on SIGTERM/SIGINT: the listener closes, in-flight requests finish, then the pools close.
 */
import { serve } from '@hono/node-server';
import { createApp } from './src/api/app.ts';
import { ConfigError, readConfig } from './src/config.ts';
import { createLogger } from './src/config/logger.ts';
import { createApiDeps } from './src/api-process/create-api-deps.ts';
import { ensureFirstAdmin } from './src/security/first-admin.ts';
import { exitOnStartupError, portInUse } from './src/config/startup-error.ts';
import { openDatabase } from './src/db/open.ts';
import { connectClient } from './src/temporal/client.ts';

async function run(): Promise<void> {
  const config = readConfig();
  const log = createLogger(config.process, 'api');
  if (!config.temporal.TEMPORAL_ADDRESS) throw new ConfigError([{ variable: 'TEMPORAL_ADDRESS', message: 'not set: run `npm start` or point it at a Temporal server' }]);
  const sql = await openDatabase(config, log, 'api');
  const temporal = await connectClient({ address: config.temporal.TEMPORAL_ADDRESS, namespace: config.temporal.TEMPORAL_NAMESPACE, startupWaitS: config.temporal.TEMPORAL_STARTUP_WAIT_S }, log);
  const deps = await createApiDeps(config, log, sql, temporal);
  await ensureFirstAdmin(sql, config, deps.audit, log);
  const app = createApp(deps);
  const server = serve({ fetch: app.fetch, port: config.ports.PORT, hostname: config.process.HOST }, (info) => {
    log.info({ port: info.port, host: config.process.HOST }, `API listening on http://${config.process.HOST}:${info.port}`);
  });
  server.once('error', (err) => exitOnStartupError(portInUse(err, 'PORT', config.ports.PORT)));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'API stopping');
    server.close(async () => {
      await deps.close();
      await temporal.connection.close();
      await sql.end({ timeout: 5 });
      log.info('API stopped');
      process.exit(0);
    });
    // Idle keep-alive sockets would hold close() open: end them; active requests still finish.
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    setTimeout(() => process.exit(0), config.http.REQUEST_TIMEOUT_MS + 5000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

run().catch(exitOnStartupError);
