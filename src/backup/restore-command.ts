/**
 * `npm run restore`: find the backup (by id, or the newest verified one at or before a time),
 * say what would change, refuse while trading is live unless forced (forcing halts it first),
 * ask for confirmation, restore in one transaction with progress, audit RESTORE_PERFORMED, run the
 * after-restore hooks and tell the operator what must happen before trading resumes.
 *
 * Kept apart from scripts/restore.ts (arguments, prompt, connections) so tests drive it.
 *
 * @module
 */
import type { AuditLog } from '../audit/append.ts';
import type { Actor } from '../audit/events.ts';
import type { Config } from '../config.ts';
import { migrate, schemaVersion } from '../db/migrate.ts';
import type { Sql } from '../db/pool.ts';
import type { Logger } from '../config/logger.ts';
import { type AfterRestoreHook, reconciliationNotice } from './after-restore.ts';
import { type BackupOnDisk, latestVerifiedAt, listBackupsOnDisk, readBackupOnDisk } from './on-disk.ts';
import type { BackupKey } from './encryption.ts';
import { backupDir, keyFor } from './files.ts';
import { countRows, restoreBackup, type RestoreProgress } from './restore.ts';
import { accountsTrading, haltForRestore, type HaltedVia, holdRestoredAccountsHalted, type RestoreBreaker } from './trading-guard.ts';
import { isAuditTable } from './audit-merge.ts';

export interface RestoreCommandOptions {
  backupId?: string | undefined;
  at?: Date | undefined;
  dryRun: boolean;
  /** Skip the confirmation prompt. */
  yes: boolean;
  /** Halt trading first instead of refusing. */
  force: boolean;
  allowUnverified: boolean;
  operator: string;
}

export interface RestoreIo {
  print(line: string): void;
  confirm(question: string): Promise<boolean>;
}

export interface RestoreCommandDeps {
  config: Config;
  /** The schema owner's connection (TRUNCATE, migrations). */
  sql: Sql;
  /** Where the database is, for messages (no credentials). */
  target: string;
  audit: AuditLog;
  log: Logger;
  root: string;
  key?: BackupKey | undefined;
  /** The circuit breaker, when Temporal is configured; without it a forced restore writes HALTED directly. */
  breaker?: RestoreBreaker | undefined;
  /** The application's login role, granted its rights when an empty database is migrated first. */
  appRole?: string | undefined;
  hooks?: readonly AfterRestoreHook[];
}

export type RestoreOutcome = 'restored' | 'dry-run' | 'refused' | 'cancelled';

export class RestoreCommandError extends Error {
  override readonly name = 'RestoreCommandError';
}

async function locate(deps: RestoreCommandDeps, options: RestoreCommandOptions): Promise<BackupOnDisk> {
  if (options.backupId) {
    try {
      return await readBackupOnDisk(backupDir(deps.root, options.backupId));
    } catch (err) {
      throw new RestoreCommandError(`backup ${options.backupId} not found under ${deps.root} (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (!options.at) throw new RestoreCommandError('say which backup: --backup <id> or --at <ISO time>');
  const found = latestVerifiedAt(await listBackupsOnDisk(deps.root), options.at);
  if (!found) throw new RestoreCommandError(`no verified backup under ${deps.root} has a snapshot at or before ${options.at.toISOString()}`);
  return found;
}

const pad = (v: string | number, n: number) => String(v).padStart(n);

async function describePlan(deps: RestoreCommandDeps, backup: BackupOnDisk, version: number, io: RestoreIo): Promise<void> {
  const m = backup.manifest;
  io.print(`Backup ${m.id} (${m.kind}): snapshot ${m.snapshotAt}, schema ${m.schemaVersion}, app ${m.appVersion}, ${m.encryption ? 'encrypted' : 'not encrypted'}`);
  io.print(`  ${backup.verified ? `verified ${backup.verifiedAt ?? ''}` : 'NOT VERIFIED'}; ${m.totals.rows} rows in ${m.tables.length} tables, ${m.totals.bytes} bytes`);
  io.print(`Target: ${deps.target} (schema ${version === 0 ? 'empty: migrations up to ' + m.schemaVersion + ' are applied first' : version})`);
  io.print(`  ${'table'.padEnd(28)}${pad('now', 10)}${pad('backup', 10)}  change`);
  for (const t of m.tables) {
    const now = version === 0 ? 0 : await countRows(deps.sql, t.name);
    const change = isAuditTable(t.name) ? 'merged append-only (never rewound)' : t.rows === now ? 'same count' : `${t.rows - now > 0 ? '+' : ''}${t.rows - now}`;
    io.print(`  ${t.name.padEnd(28)}${pad(now, 10)}${pad(t.rows, 10)}  ${change}`);
  }
}

export async function runRestore(deps: RestoreCommandDeps, options: RestoreCommandOptions, io: RestoreIo): Promise<{ outcome: RestoreOutcome }> {
  const actor: Actor = { type: 'user', id: `operator:${options.operator}` };
  const backup = await locate(deps, options);
  const { manifest } = backup;
  const key = keyFor(manifest, deps.key);
  if (!backup.verified && !options.allowUnverified) {
    io.print(`Refused: backup ${manifest.id} has not been verified (only a verified backup counts as good); pass --allow-unverified to restore it anyway.`);
    return { outcome: 'refused' };
  }
  const version = await schemaVersion(deps.sql);
  await describePlan(deps, backup, version, io);
  if (version !== 0 && version !== manifest.schemaVersion) {
    io.print(`Refused: the database is at schema ${version}, the backup at ${manifest.schemaVersion}. Restore into an empty database, then migrate it forward.`);
    return { outcome: 'refused' };
  }
  const trading = await accountsTrading(deps.sql);
  if (trading.length) io.print(`Accounts trading now: ${trading.map((a) => `${a.id} (${a.tradingState})`).join(', ')}`);
  if (options.dryRun) {
    io.print(trading.length && !options.force ? 'A real run would refuse while these trade: halt trading first (POST /risk/halt) or pass --force.' : 'A real run would proceed.');
    io.print('Dry run: nothing was changed.');
    return { outcome: 'dry-run' };
  }
  if (trading.length && !options.force) {
    io.print('Refused: trading is live. Halt it first (POST /risk/halt), or pass --force to halt it now and restore.');
    return { outcome: 'refused' };
  }
  if (!options.yes && !(await io.confirm(`Restore backup ${manifest.id} into ${deps.target}? This replaces the business tables. Type "restore" to continue: `))) {
    io.print('Cancelled: nothing was changed.');
    return { outcome: 'cancelled' };
  }

  let haltedVia: Record<string, HaltedVia> = {};
  if (trading.length) {
    io.print('Halting trading before the restore...');
    haltedVia = await haltForRestore({ sql: deps.sql, audit: deps.audit, breaker: deps.breaker }, trading, `RESTORE: restoring backup ${manifest.id}`, actor);
    for (const [account, via] of Object.entries(haltedVia)) io.print(`  ${account}: HALTED via ${via === 'circuit-breaker' ? 'the circuit breaker' : 'a direct database write (Temporal did not answer)'}`);
    const still = await accountsTrading(deps.sql);
    if (still.length) throw new RestoreCommandError(`could not halt ${still.map((a) => a.id).join(', ')}: nothing was restored`);
  }
  if (version === 0) {
    io.print(`Empty database: applying migrations up to ${manifest.schemaVersion}...`);
    await migrate(deps.sql, deps.log, { upTo: manifest.schemaVersion, appRole: deps.appRole });
  }

  const report = (p: RestoreProgress) => {
    if (p.step === 'load') io.print(`  [${p.done}/${p.total}] ${p.table}: ${p.rows} rows`);
    else if (p.step !== 'commit') io.print(`${p.step === 'check-files' ? 'Checking files against the manifest' : p.step === 'truncate' ? `Emptying ${p.total} tables` : p.step === 'audit' ? 'Merging the audit trail (append-only)' : p.step === 'sequences' ? 'Setting sequences' : 'Verifying the audit chain'}...`);
  };
  const result = await restoreBackup(deps.sql, backup.dir, manifest, {
    key,
    onProgress: report,
    beforeCommit: async (tx, restored) => {
      const held = await holdRestoredAccountsHalted(tx, deps.audit, actor, manifest.id);
      await deps.audit.append(tx, {
        type: 'RESTORE_PERFORMED',
        actor,
        payload: {
          backupId: manifest.id,
          kind: manifest.kind,
          snapshotAt: manifest.snapshotAt,
          schemaVersion: manifest.schemaVersion,
          backupAppVersion: manifest.appVersion,
          forced: options.force,
          verified: backup.verified,
          haltedBefore: haltedVia,
          heldHalted: held,
          tables: restored.tables,
          audit: { mode: restored.audit.mode, appended: restored.audit.appended, keptAfterBackup: restored.audit.keptAfterBackup },
        },
      });
    },
  });
  io.print(`Restored backup ${manifest.id}: ${result.tables.length} tables; audit trail ${result.audit.mode} (${result.audit.appended} appended, ${result.audit.keptAfterBackup} kept after the backup).`);
  for (const hook of deps.hooks ?? []) {
    const line = await hook.run({ sql: deps.sql, manifest, result, log: deps.log });
    if (line) io.print(`${hook.name}: ${line}`);
  }
  for (const line of reconciliationNotice(manifest, result)) io.print(line);
  return { outcome: 'restored' };
}
