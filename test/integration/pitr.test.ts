/**
 * The point-in-time recovery drill of docs/backup-and-recovery.md ("PITR, practised"), on real
 * PostgreSQL binaries: a cluster that archives its WAL, a base backup (pg_basebackup), two trades
 * a few seconds apart written the way the worker's activities write them, and a recovery to a time
 * between them. The recovered database holds the first trade and not the second, and its audit
 * chain verifies. Needs Debian's `postgresql` package (or PG_BIN; see test/support/pg-cluster.ts).
 */
import { chmod, chown, mkdir, mkdtemp, readdir, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ActivityDeps } from '../../src/activities/context.ts';
import { orderActivities } from '../../src/activities/orders.ts';
import { riskActivities } from '../../src/activities/risk.ts';
import { tradeRecordActivities } from '../../src/activities/trade-records.ts';
import { sealAudit } from '../../src/audit/seal.ts';
import { createAuditLog } from '../../src/audit/append.ts';
import { verifyChain } from '../../src/audit/verify.ts';
import { PaperExchange } from '../../src/broker/paper/exchange.ts';
import { ensureAccount } from '../../src/db/accounts.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createSql, type Sql } from '../../src/db/pool.ts';
import { getTrade } from '../../src/db/trades.ts';
import { testConfig } from '../support/config.ts';
import { silentLogger } from '../support/logger.ts';
import { findServerBinaries, postgresUser, type RunningCluster, runTool, startCluster } from '../support/pg-cluster.ts';
import { freePort } from '../support/ports.ts';

const instrument = { symbol: 'ITC', exchange: 'NSE' as const, product: 'CASH' as const };
const FIRST = 'tpitrfirstaaaaaa';
const SECOND = 'tpitrsecondaaaaa';

let root: string;
const clusters: RunningCluster[] = [];
const pools: Sql[] = [];

const urlOf = (port: number, database = 'breeze') => `postgres://postgres@127.0.0.1:${port}/${database}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connect(port: number, database = 'breeze'): Sql {
  const sql = createSql(urlOf(port, database), { max: 4, idleTimeoutS: 10, connectTimeoutS: 10, statementTimeoutMs: 30_000, applicationName: 'pitr-drill' });
  pools.push(sql);
  return sql;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'bt-pitr-'));
  // The cluster runs as the postgres user (we may be root): it owns the drill's directory.
  await chmod(root, 0o755);
  const { uid, gid } = postgresUser();
  if (uid !== undefined && gid !== undefined) await chown(root, uid, gid);
});

afterAll(async () => {
  await Promise.allSettled(pools.map((p) => p.end({ timeout: 5 })));
  await Promise.allSettled(clusters.map((c) => c.stop()));
  if (root) await rm(root, { recursive: true, force: true });
});

/** Enter a trade as the trade workflow's activities do: reserve risk, send the entry, record its fill. */
async function enterTrade(deps: ActivityDeps, tradeId: string) {
  const accountId = deps.config.account.ACCOUNT_ID;
  const reserved = await riskActivities(deps).reserveRisk({
    tradeId,
    accountId,
    request: { instrument, side: 'BUY', quantity: 10, orderType: 'MARKET', intraday: true },
    requestFingerprint: 'f'.repeat(64),
    requestedBy: { type: 'user', id: 'pitr-drill' },
    source: 'api',
  });
  expect(reserved.outcome).toBe('ACCEPTED');
  const leg = await orderActivities(deps).placeOrder({ tradeId, accountId, tag: `${tradeId}E1`, leg: 'ENTRY', instrument, side: 'BUY', quantity: 10, orderType: 'MARKET' });
  expect(leg.status).toBe('FILLED');
  expect((await tradeRecordActivities(deps).recordEntryFill(tradeId, leg)).status).toBe('OPEN');
}

it('recovers to a time between two trades: the first is there, the second is not, the audit chain verifies', async () => {
  const bin = findServerBinaries();
  const primaryDir = path.join(root, 'primary');
  const archiveDir = path.join(root, 'wal-archive');
  const baseDir = path.join(root, 'base');
  const restoredDir = path.join(root, 'restored');
  await mkdir(archiveDir, { mode: 0o700 });
  const { uid, gid } = postgresUser();
  if (uid !== undefined && gid !== undefined) await chown(archiveDir, uid, gid);

  // 1. A cluster that archives every finished WAL segment (the production settings, minus the sync).
  await runTool(bin, 'initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C']);
  const primary = await startCluster(bin, primaryDir, await freePort(), [
    'wal_level=replica',
    'archive_mode=on',
    `archive_command=test ! -f ${archiveDir}/%f && cp %p ${archiveDir}/%f`,
    'max_wal_senders=4',
    'fsync=off',
  ]);
  clusters.push(primary);
  const server = connect(primary.port, 'postgres');
  await server.unsafe('create database breeze');
  const sql = connect(primary.port);
  await migrate(sql, silentLogger);

  // 2. The base backup, as the doc takes it, checked against its manifest.
  await runTool(bin, 'pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', baseDir, '-Fp', '-Xs', '-c', 'fast']);
  await runTool(bin, 'pg_verifybackup', [baseDir]);

  // 3. Two trades a few seconds apart; the recovery target lies between them.
  const config = testConfig({ DATABASE_URL: urlOf(primary.port) });
  await ensureAccount(sql, config.account.ACCOUNT_ID, 50_000_000);
  const broker = new PaperExchange({ sql, marketHours: 'always', slippageBps: 0, randomWalk: false, seed: 1 });
  await broker.setQuote(instrument, 450_00);
  // No price is watched in this drill: the entries are priced from the paper quote.
  const deps: ActivityDeps = { config, sql, broker, prices: undefined as never, audit: createAuditLog(), log: silentLogger, temporal: undefined as never, breaker: undefined as never, trades: undefined as never };
  await enterTrade(deps, FIRST);
  await sleep(1500);
  await sealAudit(sql); // the first trade's records in the chain before the target, not queued
  const target = (await sql<{ target: string }[]>`select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' as target`)[0]!.target;
  const auditSeqAtTarget = (await sql<{ seq: string }[]>`select max(seq)::text as seq from audit_events`)[0]!.seq;
  await sleep(1500);
  await enterTrade(deps, SECOND);
  expect(await getTrade(sql, SECOND)).toBeDefined();

  // 4. Close the current WAL segment so the archive holds the second trade's commit, then stop.
  const segment = (await sql<{ segment: string }[]>`select pg_walfile_name(pg_switch_wal()) as segment`)[0]!.segment;
  for (let i = 0; i < 150; i++) {
    const last = (await sql<{ last: string | null }[]>`select last_archived_wal as last from pg_stat_archiver`)[0]!.last;
    if (last !== null && last >= segment) break;
    await sleep(100);
  }
  expect((await readdir(archiveDir)).filter((f) => /^[0-9A-F]{24}$/.test(f))).toContain(segment);
  await Promise.all(pools.splice(0).map((p) => p.end({ timeout: 5 })));
  await primary.stop();

  // 5. Lay down the base backup without its WAL (the archive has every segment) and configure recovery.
  // `cp -a` as the postgres user: the copy keeps the owner and the 0700 mode PostgreSQL insists on.
  await runTool('/bin', 'cp', ['-a', baseDir, restoredDir]);
  await rm(path.join(restoredDir, 'pg_wal'), { recursive: true, force: true });
  await mkdir(path.join(restoredDir, 'pg_wal'), { mode: 0o700 });
  if (uid !== undefined && gid !== undefined) await chown(path.join(restoredDir, 'pg_wal'), uid, gid);
  await appendFile(path.join(restoredDir, 'postgresql.auto.conf'), [
    `restore_command = 'cp ${archiveDir}/%f "%p"'`,
    `recovery_target_time = '${target}'`,
    `recovery_target_action = 'promote'`,
    '',
  ].join('\n'));
  await writeFile(path.join(restoredDir, 'recovery.signal'), '');
  if (uid !== undefined && gid !== undefined) await chown(path.join(restoredDir, 'recovery.signal'), uid, gid);

  // 6. Start it: it replays the archive up to the target, then promotes.
  const restored = await startCluster(bin, restoredDir, await freePort(), []);
  clusters.push(restored);
  expect(restored.log.join('\n')).toMatch(/recovery stopping before commit of transaction/);
  const recovered = connect(restored.port);
  const inRecovery = (await recovered<{ inRecovery: boolean }[]>`select pg_is_in_recovery() as "inRecovery"`)[0]!.inRecovery;
  expect(inRecovery).toBe(false);

  expect(await getTrade(recovered, FIRST)).toMatchObject({ id: FIRST, status: 'OPEN', filledQuantity: 10 });
  expect(await getTrade(recovered, SECOND)).toBeUndefined();
  const second = await recovered`select 1 from audit_events where trade_id = ${SECOND}`;
  expect(second).toHaveLength(0);
  const verified = await verifyChain(recovered);
  expect(verified).toMatchObject({ ok: true, headSeq: Number(auditSeqAtTarget) });
});
