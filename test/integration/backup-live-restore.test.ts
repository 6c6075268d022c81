import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/verify.ts';
import { writeBackup } from '../../src/backup/create.ts';
import { backupDir, backupRoot } from '../../src/backup/files.ts';
import type { Manifest } from '../../src/backup/manifest.ts';
import { runRestore, type RestoreCommandDeps, type RestoreCommandOptions } from '../../src/backup/restore-command.ts';
import { createScratchDatabase } from '../../src/backup/scratch-db.ts';
import { verifyBackup, writeVerification } from '../../src/backup/verify.ts';
import { getAccount } from '../../src/db/accounts.ts';
import type { Sql } from '../../src/db/pool.ts';
import { readBreakerState, restoreBreaker } from '../../src/temporal/circuit-breaker.ts';
import { seedOtherTables, seedTrades, tableDigests } from '../support/backup-data.ts';
import { silentLogger } from '../support/logger.ts';
import { startStack, type TestStack } from '../support/stack.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let first: Manifest;
let second: Manifest;
/** The seeded trades' account, which the stack trades on too. */
let account: string;

async function verifiedBackup(id: string): Promise<Manifest> {
  const dir = backupDir(backupRoot(stack.config), id);
  const { manifest, manifestSha256 } = await writeBackup(stack.db.sql, { id, kind: 'manual', dir, config: stack.config });
  const report = await verifyBackup({ adminUrl: stack.db.adminUrl, dir, manifest, log: silentLogger });
  expect(report.problems).toEqual([]);
  await writeVerification(dir, report, manifestSha256);
  return manifest;
}

beforeAll(async () => {
  stack = await startStack();
  account = stack.config.account.ACCOUNT_ID;
  await seedTrades(stack.db.sql, stack.audit, account, 4);
  await seedOtherTables(stack.db.sql, account);
  first = await verifiedBackup('manual-first');
  await seedTrades(stack.db.sql, stack.audit, account, 3, 4);
  second = await verifiedBackup('manual-second');
});
afterAll(async () => stack?.stop());

function deps(sql: Sql = stack.db.admin, withTemporal = true): RestoreCommandDeps {
  return { config: stack.config, sql, target: 'test database', audit: stack.audit, log: silentLogger, root: backupRoot(stack.config), breaker: withTemporal ? restoreBreaker(stack.client, stack.config) : undefined };
}
const options = (o: Partial<RestoreCommandOptions>): RestoreCommandOptions => ({ dryRun: false, yes: true, force: false, allowUnverified: false, operator: 'tester', ...o });
function io() {
  const lines: string[] = [];
  return { lines, print: (l: string) => void lines.push(l), confirm: async () => true };
}
async function count(sql: Sql, table: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)}`;
  return row!.n;
}
async function setActive(): Promise<void> {
  await stack.db.admin`update accounts set trading_state = 'ACTIVE', state_reason = null`;
}

it('says in a dry run what would change, table by table, and changes nothing', async () => {
  await setActive();
  const now = await count(stack.db.sql, 'trades');
  const out = io();
  expect(await runRestore(deps(), options({ backupId: 'manual-first', dryRun: true }), out)).toEqual({ outcome: 'dry-run' });
  const trades = out.lines.find((l) => l.trim().startsWith('trades'));
  expect(trades).toMatch(new RegExp(`trades\\s+${now}\\s+4\\s+${now === 4 ? 'same count' : String(4 - now)}`));
  expect(out.lines.find((l) => l.trim().startsWith('audit_events'))).toMatch(/merged append-only/);
  expect(out.lines).toContain('A real run would refuse while these trade: halt trading first (POST /risk/halt) or pass --force.');
  expect(out.lines).toContain('Dry run: nothing was changed.');
  expect(await count(stack.db.sql, 'trades')).toBe(now);
});

it('refuses to restore while an account is ACTIVE, changing nothing', async () => {
  await setActive();
  const before = await tableDigests(stack.db.sql);
  const out = io();
  expect(await runRestore(deps(), options({ backupId: 'manual-first' }), out)).toEqual({ outcome: 'refused' });
  expect(out.lines.at(-1)).toMatch(/Refused: trading is live/);
  expect(await tableDigests(stack.db.sql)).toEqual(before);
  expect((await getAccount(stack.db.sql, account))?.tradingState).toBe('ACTIVE');
});

it('with --force halts trading through the circuit breaker first, then restores and keeps the audit records written after the backup', async () => {
  await setActive();
  await sealAudit(stack.db.sql);
  const auditBefore = await count(stack.db.sql, 'audit_events');
  const out = io();
  expect(await runRestore(deps(), options({ backupId: 'manual-first', force: true }), out)).toEqual({ outcome: 'restored' });
  expect(out.lines).toContain(`  ${account}: HALTED via the circuit breaker`);
  expect(out.lines.some((l) => l.includes('must be reconciled with the broker'))).toBe(true);

  expect(await count(stack.db.sql, 'trades')).toBe(4);
  expect(await count(stack.db.sql, 'fills')).toBe(4);
  expect((await getAccount(stack.db.sql, account))?.tradingState).toBe('HALTED');
  expect((await readBreakerState(stack.client, account))?.tradingState).toBe('HALTED');
  // Append-only: every record from before is still there, then the breaker's halt, then the restore
  // holding the restored account (ACTIVE in the backup) HALTED, then the restore itself.
  await sealAudit(stack.db.sql);
  const after = await stack.db.sql<{ type: string; actor: string; reason: string | null }[]>`
    select event_type as type, actor_id as actor, payload->>'reason' as reason from audit_events where seq > ${auditBefore} order by seq`;
  expect(after.map((t) => t.type)).toEqual(['CIRCUIT_BREAKER_TRIPPED', 'CIRCUIT_BREAKER_TRIPPED', 'RESTORE_PERFORMED']);
  expect(after[0]?.reason).toBe('MANUAL: RESTORE: restoring backup manual-first');
  expect(after[1]?.reason).toMatch(/^RESTORE: backup manual-first restored; reconcile/);
  expect(after[2]?.actor).toBe('operator:tester');
  expect(await verifyChain(stack.db.sql)).toMatchObject({ ok: true, records: auditBefore + 3 });
  const [restore] = await stack.db.sql<{ payload: { audit: { mode: string; keptAfterBackup: number } } }[]>`select payload from audit_events where event_type = 'RESTORE_PERFORMED'`;
  expect(restore?.payload.audit).toMatchObject({ mode: 'kept-newer', keptAfterBackup: auditBefore + 1 - first.auditHead.seq });
});

it('with --force and Temporal out of reach, writes HALTED directly with its audit record', async () => {
  await setActive();
  const out = io();
  expect(await runRestore(deps(stack.db.admin, false), options({ backupId: 'manual-second', force: true }), out)).toEqual({ outcome: 'restored' });
  expect(out.lines).toContain(`  ${account}: HALTED via a direct database write (Temporal did not answer)`);
  expect(await count(stack.db.sql, 'trades')).toBe(7);
  await sealAudit(stack.db.sql);
  const [halt] = await stack.db.sql<{ payload: { via: string } }[]>`select payload from audit_events where event_type = 'CIRCUIT_BREAKER_TRIPPED' and payload ? 'via' order by seq desc limit 1`;
  expect(halt?.payload.via).toMatch(/Temporal/);
  expect((await verifyChain(stack.db.sql)).ok).toBe(true);
});

it('picks the newest verified backup at or before --at', async () => {
  const out = io();
  const between = new Date((Date.parse(first.snapshotAt) + Date.parse(second.snapshotAt)) / 2);
  await runRestore(deps(), options({ at: between, dryRun: true }), out);
  expect(out.lines[0]).toMatch(/^Backup manual-first /);
  const later = io();
  await runRestore(deps(), options({ at: new Date(Date.parse(second.snapshotAt) + 1000), dryRun: true }), later);
  expect(later.lines[0]).toMatch(/^Backup manual-second /);
});

it('restores into an empty database from the files alone: migrates it first and loads every table', async () => {
  const empty = await createScratchDatabase(stack.db.adminUrl, `bt_empty_${Date.now()}`);
  try {
    const out = io();
    expect(await runRestore(deps(empty.sql), options({ backupId: 'manual-second' }), out)).toEqual({ outcome: 'restored' });
    expect(out.lines).toContain(`Empty database: applying migrations up to ${second.schemaVersion}...`);
    const digests = await tableDigests(empty.sql);
    // The restore holds accounts HALTED and appends its own audit records; every other table is the backup's, row for row.
    for (const t of second.tables.filter((x) => !['accounts', 'audit_events', 'audit_head'].includes(x.name))) {
      expect({ table: t.name, ...digests[t.name] }).toEqual({ table: t.name, rows: t.rows, digest: t.rowsDigest });
    }
    expect(await verifyChain(empty.sql)).toMatchObject({ ok: true, records: second.auditHead.seq + 2 });
  } finally {
    await empty.drop();
  }
});

it('refuses an unverified backup unless told to allow it', async () => {
  const dir = backupDir(backupRoot(stack.config), 'manual-unverified');
  await writeBackup(stack.db.sql, { id: 'manual-unverified', kind: 'manual', dir, config: stack.config });
  const out = io();
  expect(await runRestore(deps(), options({ backupId: 'manual-unverified', dryRun: true }), out)).toEqual({ outcome: 'refused' });
  expect(out.lines[0]).toMatch(/has not been verified/);
  expect(path.basename(dir)).toBe('manual-unverified');
});
