/**
 * The local launcher (`npm start`): the whole system on embedded defaults. It first checks what no
 * restart can fix (DATA_DIR not another launcher's, ADMIN_PASSWORD, free ports) and stops at once
 * on a bad setting. It starts embedded PostgreSQL and the Temporal dev server when DATABASE_URL /
 * TEMPORAL_ADDRESS are not set (data under DATA_DIR, reused by the next start) and restarts either
 * when it dies, applies migrations, then runs the worker and the API and restarts either when it
 * dies (not when it ends on a configuration error: then everything stops with that exit code).
 * Ctrl-C stops everything cleanly, in order.
 */
import path from 'node:path';
import { ConfigError, readConfig } from './src/config.ts';
import { devSecretsFile } from './src/config/dev-secrets.ts';
import { migrate } from './src/db/migrate.ts';
import { createSql, poolOptions, waitForDatabase } from './src/db/pool.ts';
import { startEmbeddedPostgres } from './src/launcher/embedded-postgres.ts';
import { keepAlive } from './src/launcher/keep-alive.ts';
import { NODE_FLAGS } from './src/launcher/node-flags.ts';
import { preflight } from './src/launcher/preflight.ts';
import { Supervisor } from './src/launcher/supervisor.ts';
import { startDevServer } from './src/launcher/temporal-dev-server.ts';
import { PROJECT_ROOT, resolveTool, TEMPORAL_CLI, toolVersion } from './src/launcher/tools.ts';
import { createLogger } from './src/config/logger.ts';
import { CONFIG_ERROR_EXIT_CODE, exitOnStartupError } from './src/config/startup-error.ts';

async function run(): Promise<void> {
  const config = readConfig();
  await preflight(config);
  const log = createLogger(config.process, 'launcher');
  const stops: (() => Promise<void>)[] = [];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: config.dataDir };

  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping everything');
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        log.warn({ err }, 'a part did not stop cleanly');
      }
    }
    log.info('stopped');
    process.exit(code);
  };
  // The children run in process groups of their own (a terminal's signals reach only us), so every
  // way the launcher is asked to end stops them too, in order.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));
  // Nor may a launcher that fails unexpectedly leave them running on their own.
  process.on('uncaughtException', (err) => {
    log.error({ err: err.message }, 'launcher failed');
    void stopAll(1);
  });

  try {
    if (!config.database.DATABASE_URL) {
      const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.ports.EMBEDDED_PG_PORT });
      const kept = keepAlive('embedded PostgreSQL', pg, log);
      stops.push(async () => {
        await kept.stop();
        log.info('embedded PostgreSQL stopped');
      });
      Object.assign(childEnv, { DATABASE_URL: pg.appUrl, DATABASE_ADMIN_URL: pg.adminUrl });
      log.info({ port: pg.port, pid: pg.process.pid, dataDir: path.join(config.dataDir, 'postgres') }, 'embedded PostgreSQL running');
    }
    if (!config.temporal.TEMPORAL_ADDRESS) {
      const cli = resolveTool(TEMPORAL_CLI, config.temporal.TEMPORAL_CLI, (m) => log.info(m));
      log.info({ version: toolVersion(cli.path) }, 'Temporal CLI');
      const server = await startDevServer({
        binary: cli.path,
        port: config.ports.TEMPORAL_PORT,
        uiPort: config.ports.TEMPORAL_UI_PORT,
        dbFile: path.join(config.dataDir, 'temporal', 'temporal.sqlite'),
        namespace: config.temporal.TEMPORAL_NAMESPACE,
        onOutput: (line) => log.debug({ temporal: line }),
      });
      const kept = keepAlive('Temporal dev server', server, log);
      stops.push(async () => {
        await kept.stop();
        log.info('Temporal dev server stopped');
      });
      childEnv.TEMPORAL_ADDRESS = server.address;
      // Trade links point at this dev server's UI, wherever TEMPORAL_UI_PORT put it.
      childEnv.TEMPORAL_UI_URL ||= `http://localhost:${config.ports.TEMPORAL_UI_PORT}`;
      log.info({ address: server.address, pid: server.process.pid, ui: `http://localhost:${config.ports.TEMPORAL_UI_PORT}` }, 'Temporal dev server running');
    }

    // Migrate once here, as the schema owner, before the children start (they find nothing to do).
    const adminUrl = childEnv.DATABASE_ADMIN_URL ?? childEnv.DATABASE_URL!;
    const admin = createSql(adminUrl, { ...poolOptions(config.database, 'launcher'), max: 1 });
    try {
      await waitForDatabase(admin, adminUrl, config.database.DB_STARTUP_WAIT_S, log);
      const appRole = decodeURIComponent(new URL(childEnv.DATABASE_URL!).username) || undefined;
      const { applied, version } = await migrate(admin, log, { appRole });
      log.info({ schemaVersion: version, applied: applied.length }, 'migrations applied');
    } finally {
      await admin.end({ timeout: 5 });
    }

    const supervisor = new Supervisor(log, () => void stopAll(CONFIG_ERROR_EXIT_CODE));
    stops.push(() => supervisor.stop());
    const tsx = ['--import', 'tsx'];
    supervisor.start({ name: 'worker', command: process.execPath, args: [...NODE_FLAGS, ...tsx, path.join(PROJECT_ROOT, 'worker.ts')], env: childEnv });
    supervisor.start({ name: 'api', command: process.execPath, args: [...NODE_FLAGS, ...tsx, path.join(PROJECT_ROOT, 'api.ts')], env: childEnv });
    log.info(
      { api: `http://localhost:${config.ports.PORT}`, docs: `http://localhost:${config.ports.PORT}/docs`, temporalUi: config.temporal.TEMPORAL_ADDRESS ? undefined : `http://localhost:${config.ports.TEMPORAL_UI_PORT}` },
      `breeze-trader is starting: API on http://localhost:${config.ports.PORT} (first admin: ${config.security.ADMIN_USERNAME}, password: ADMIN_PASSWORD or, unset, the one generated into ${devSecretsFile(config.dataDir)}); Ctrl-C stops everything`,
    );
  } catch (err) {
    log.error({ err: err instanceof Error ? err.message : err }, 'start-up failed');
    await stopAll(err instanceof ConfigError ? CONFIG_ERROR_EXIT_CODE : 1);
  }
}

run().catch(exitOnStartupError);
