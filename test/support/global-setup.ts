/**
 * Starts the real parts the tests share, once per run: a Temporal dev server (from the resolved
 * CLI, in memory) and PostgreSQL (embedded, or TEST_DATABASE_URL when given, which must be a
 * superuser), with a migrated template database every test file copies. The workflow bundle is
 * built once here too. The vitest projects (one per broker, vitest.config.ts) each call this setup
 * in the one vitest process: the first call starts everything, the others share it (globalThis is
 * that process's), and the last teardown stops it.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import postgres from 'postgres';
import type { ProvidedContext } from 'vitest';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/db/migrate.ts';
import { startEmbeddedPostgres } from '../../src/launcher/embedded-postgres.ts';
import { startDevServer } from '../../src/launcher/temporal-dev-server.ts';
import { resolveTool, TEMPORAL_CLI, TEMPORAL_TEST_SERVER } from '../../src/launcher/tools.ts';
import { freePort } from './ports.ts';
import { silentLogger } from './logger.ts';

export const TEMPLATE_DB = 'bt_template';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCli: string;
    temporalTestServer: string;
    pgAdminBase: string;
    pgAppRole: string;
    pgAppPassword: string;
    workflowBundlePath: string;
  }
}

interface Shared {
  provided: ProvidedContext;
  stop(): Promise<void>;
}

const registry = globalThis as { btSharedSetup?: { started: Promise<Shared>; users: number } };

export default async function setup(project: TestProject) {
  registry.btSharedSetup ??= { started: start(), users: 0 };
  const shared = registry.btSharedSetup;
  shared.users++;
  const { provided } = await shared.started;
  for (const key of Object.keys(provided) as (keyof ProvidedContext)[]) project.provide(key, provided[key]);
  return async () => {
    if (--shared.users > 0) return;
    registry.btSharedSetup = undefined;
    await (await shared.started).stop();
  };
}

async function start(): Promise<Shared> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bt-test-'));
  chmodSync(dir, 0o755); // embedded PostgreSQL runs as another user when we are root
  const say = (m: string) => console.log(`[global-setup] ${m}`);
  const cli = resolveTool(TEMPORAL_CLI, process.env.TEMPORAL_CLI, say);
  const testServer = resolveTool(TEMPORAL_TEST_SERVER, process.env.TEMPORAL_TEST_SERVER, say);

  const [temporal, pg, bundle] = await Promise.all([
    freePort().then((port) => startDevServer({ binary: cli.path, port, namespace: 'default', fast: true })),
    startPostgres(dir),
    bundleWorkflowCode({ workflowsPath: path.resolve('src/workflows/index.ts'), logger: new DefaultLogger('ERROR') }),
  ]);
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  const admin = postgres(`${pg.adminBase}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${TEMPLATE_DB}`);
  await admin.unsafe(`create database ${TEMPLATE_DB}`);
  await admin.end();
  const template = postgres(`${pg.adminBase}/${TEMPLATE_DB}`, { max: 1, onnotice: () => {} });
  await migrate(template as never, silentLogger, { appRole: pg.appRole });
  await template.end();

  return {
    provided: {
      temporalAddress: temporal.address,
      temporalCli: cli.path,
      temporalTestServer: testServer.path,
      pgAdminBase: pg.adminBase,
      pgAppRole: pg.appRole,
      pgAppPassword: pg.appPassword,
      workflowBundlePath: bundlePath,
    },
    async stop() {
      await temporal.stop();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startPostgres(dir: string) {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    const url = new URL(given);
    const base = `${url.protocol}//${url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : ''}${url.host}`;
    const appPassword = 'bt-test-app';
    const admin = postgres(`${base}/postgres`, { max: 1, onnotice: () => {} });
    const [role] = await admin`select 1 from pg_roles where rolname = 'breeze_app'`;
    if (!role) await admin.unsafe(`create role breeze_app login password '${appPassword}'`);
    else await admin.unsafe(`alter role breeze_app password '${appPassword}'`);
    await admin.end();
    return { adminBase: base, appRole: 'breeze_app', appPassword, stop: async () => {} };
  }
  const running = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), fast: true });
  const admin = new URL(running.adminUrl);
  const app = new URL(running.appUrl);
  return {
    adminBase: `postgres://${admin.username}:${admin.password}@${admin.host}`,
    appRole: running.appRole,
    appPassword: decodeURIComponent(app.password),
    stop: running.stop,
  };
}
