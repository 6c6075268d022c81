/**
 * Loading a backup into a database, in one transaction: the files are checked against the
 * manifest first; then every business table is truncated and reloaded (parents before children),
 * the audit trail is merged append-only (audit-merge.ts explains why it is never rewound), the
 * sequences are set, and the chain is verified before commit. Any mismatch rolls everything back.
 *
 * Needs the schema owner's connection (TRUNCATE is not granted to the application role). The
 * same function restores into the live database (scripts/restore.ts) and into the scratch
 * database of every verification, so each verified backup has proven this path too.
 *
 * @module
 */
import { verifyChain, type VerifyResult } from '../audit/verify.ts';
import { schemaVersion } from '../db/migrate.ts';
import type { Queryable, Sql, TxSql } from '../db/pool.ts';
import { transaction } from '../db/transaction.ts';
import { adoptAuditTrail, type AuditMerge, auditTrailEmpty, createAuditStaging, createInboxStaging, holdChainHead, isAuditTable, mergeAuditTrail, resealQueued, staging } from './audit-merge.ts';
import { listTables } from './catalog.ts';
import { copyIn } from './copy-in.ts';
import { pinCopyFormat } from './copy-format.ts';
import type { BackupKey } from './encryption.ts';
import { checkFiles, keyFor, readTable } from './files.ts';
import type { Manifest, TableEntry } from './manifest.ts';

/** A restore that must not go ahead; nothing was changed. */
export class RestoreRefusedError extends Error {
  override readonly name = 'RestoreRefusedError';
  readonly problems: string[];
  constructor(message: string, problems: string[] = []) {
    super(problems.length ? `${message}: ${problems.join('; ')}` : message);
    this.problems = problems;
  }
}

export type RestoreStep = 'check-files' | 'truncate' | 'load' | 'audit' | 'sequences' | 'chain' | 'commit';

export interface RestoreProgress {
  step: RestoreStep;
  table?: string;
  rows?: number;
  /** Uncompressed COPY bytes of the table loaded so far. */
  bytes?: number;
  done?: number;
  total?: number;
}

export interface RestoredTable {
  name: string;
  /** Rows in the database before the restore. */
  rowsBefore: number;
  rows: number;
}

export interface RestoreResult {
  backupId: string;
  tables: RestoredTable[];
  audit: AuditMerge;
  sequences: number;
  chain?: VerifyResult;
}

export interface RestoreOptions {
  key?: BackupKey | undefined;
  /**
   * Seal the backup's queued audit records into the chain (default true); false loads them into
   * audit_inbox as they were, for a verification that compares tables with the backup's.
   */
  sealQueued?: boolean;
  /** Verify the audit chain before commit (default true; verification checks it separately). */
  checkChain?: boolean;
  onProgress?: (progress: RestoreProgress) => void;
  /** Runs in the restore transaction once everything is loaded: audit the restore, halt accounts. */
  beforeCommit?: (tx: TxSql, result: RestoreResult) => Promise<void>;
  /** Longest wait for a table lock held by a running worker or API, before giving up. */
  lockTimeout?: string;
}

/** Load one file into `target`, checking its rows against the manifest on the way. */
/** Load one table's file; `progress` hears of every 8 MB loaded (a large table is one long COPY, and the caller heartbeats). */
async function loadTable(tx: TxSql, dir: string, entry: TableEntry, key: BackupKey | undefined, target: string, progress: (p: RestoreProgress) => void): Promise<number> {
  const reader = readTable(dir, entry, key, (bytes) => progress({ step: 'load', table: entry.name, bytes }));
  await copyIn(tx, target, entry.columns, reader.source, ...reader.transforms);
  if (reader.tap.sha256 !== entry.sha256) throw new RestoreRefusedError(`${entry.file} changed while it was being restored`);
  if (reader.digest.rows !== entry.rows || reader.digest.digest !== entry.rowsDigest) {
    throw new RestoreRefusedError(`${entry.name}: loaded ${reader.digest.rows} rows whose digest differs from the manifest (${entry.rows} rows)`);
  }
  return reader.digest.rows;
}

export async function countRows(sql: Queryable, table: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int8 as n from ${sql(table)}`;
  return row?.n ?? 0;
}

async function checkSchema(tx: TxSql, manifest: Manifest): Promise<void> {
  const version = await schemaVersion(tx);
  if (version !== manifest.schemaVersion) {
    throw new RestoreRefusedError(
      version > manifest.schemaVersion
        ? `the database is at schema version ${version}, the backup at ${manifest.schemaVersion}: restore into a fresh database migrated to ${manifest.schemaVersion}, then migrate it forward`
        : `the database is at schema version ${version}, the backup at ${manifest.schemaVersion}: migrate it to ${manifest.schemaVersion} first`,
    );
  }
  const live = new Map((await listTables(tx)).map((t) => [t.name, t]));
  const problems: string[] = [];
  for (const entry of manifest.tables) {
    const table = live.get(entry.name);
    if (!table) problems.push(`table ${entry.name} is in the backup but not in the database`);
    else if (table.columns.join(',') !== entry.columns.join(',')) problems.push(`table ${entry.name} has columns (${table.columns.join(', ')}), the backup (${entry.columns.join(', ')})`);
    live.delete(entry.name);
  }
  for (const extra of live.keys()) problems.push(`table ${extra} is in the database but not in the backup`);
  if (problems.length) throw new RestoreRefusedError('the database schema does not match the backup', problems);
}

async function setSequences(tx: TxSql, manifest: Manifest): Promise<number> {
  for (const s of manifest.sequences) {
    if (s.ownedBy && isAuditTable(s.ownedBy)) {
      // The audit tables were not rewound: their sequences must not go back either.
      const [now] = await tx<{ lastValue: number; isCalled: boolean }[]>`select last_value as "lastValue", is_called as "isCalled" from ${tx(s.name)}`;
      const position = (v: { lastValue: number; isCalled: boolean }) => (v.isCalled ? v.lastValue : v.lastValue - 1);
      if (now && position(now) > position(s)) continue;
    }
    await tx`select setval(quote_ident(${s.name})::regclass, ${s.lastValue}, ${s.isCalled})`;
  }
  return manifest.sequences.length;
}

export async function restoreBackup(sql: Sql, dir: string, manifest: Manifest, options: RestoreOptions = {}): Promise<RestoreResult> {
  const progress = options.onProgress ?? (() => {});
  const key = keyFor(manifest, options.key);
  progress({ step: 'check-files' });
  const problems = await checkFiles(dir, manifest);
  if (problems.length) throw new RestoreRefusedError(`backup ${manifest.id} is damaged`, problems);

  return transaction(sql, async (tx) => {
    await pinCopyFormat(tx);
    // The backup holds the live-update events already: the loads below must not add more (0171_events.sql).
    await tx`select set_config('events.muted', 'on', true)`;
    await tx`select set_config('lock_timeout', ${options.lockTimeout ?? '30s'}, true)`;
    await checkSchema(tx, manifest);

    // Parents before children, in the order of the live foreign keys.
    const order = (await listTables(tx)).map((t) => t.name);
    const entries = new Map(manifest.tables.map((t) => [t.name, t]));
    const business = order.filter((name) => !isAuditTable(name)).map((name) => entries.get(name)!);
    const before = new Map<string, number>();
    for (const entry of [...business, entries.get('audit_events')].filter((e) => e !== undefined)) before.set(entry.name, await countRows(tx, entry.name));
    progress({ step: 'truncate', total: business.length });
    if (business.length) await tx`truncate ${tx(business.map((t) => t.name))}`;

    const tables: RestoredTable[] = [];
    for (const entry of business) {
      const rows = await loadTable(tx, dir, entry, key, entry.name, progress);
      tables.push({ name: entry.name, rowsBefore: before.get(entry.name) ?? 0, rows });
      progress({ step: 'load', table: entry.name, rows, done: tables.length, total: business.length });
    }

    progress({ step: 'audit' });
    await holdChainHead(tx);
    await createInboxStaging(tx);
    const inbox = entries.get('audit_inbox');
    if (inbox) await loadTable(tx, dir, inbox, key, staging('audit_inbox'), progress);
    let audit: AuditMerge;
    if (await auditTrailEmpty(tx)) {
      let loaded = 0;
      for (const name of ['audit_archives', 'audit_events'] as const) {
        const entry = entries.get(name);
        if (entry) loaded = await loadTable(tx, dir, entry, key, name, progress);
      }
      audit = await adoptAuditTrail(tx, manifest, loaded);
    } else {
      await createAuditStaging(tx);
      for (const name of ['audit_archives', 'audit_events'] as const) {
        const entry = entries.get(name);
        if (entry) await loadTable(tx, dir, entry, key, staging(name), progress);
      }
      audit = await mergeAuditTrail(tx, manifest);
    }
    if (options.sealQueued ?? true) audit = { ...audit, resealed: await resealQueued(tx) };
    else await tx`insert into audit_inbox select * from ${tx(staging('audit_inbox'))} order by id`;
    tables.push({ name: 'audit_events', rowsBefore: before.get('audit_events') ?? 0, rows: await countRows(tx, 'audit_events') });

    progress({ step: 'sequences' });
    const sequences = await setSequences(tx, manifest);
    const result: RestoreResult = { backupId: manifest.id, tables, audit, sequences };

    if (options.checkChain ?? true) {
      progress({ step: 'chain' });
      result.chain = await verifyChain(tx);
      if (!result.chain.ok) {
        const bad = result.chain.firstBadRecord;
        throw new RestoreRefusedError(`the audit chain would not verify after the restore (record ${bad?.seq}: ${bad?.reason}); nothing was changed`);
      }
    }
    await options.beforeCommit?.(tx, result);
    progress({ step: 'commit' });
    return result;
  });
}
