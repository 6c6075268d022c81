/**
 * Writing a backup: every table of one consistent snapshot (one `repeatable read read only`
 * transaction), each streamed as COPY text through a row digest, gzip and optionally AES-256-GCM
 * into its own file, then the configuration and, last, the manifest.
 *
 * Logical COPY rather than pg_dump: it needs no client binary matching the server's major version
 * (the embedded server is 18, the host's tools 15), it streams through Node with backpressure,
 * and the migrations are the schema's source of truth
 * (docs/backup-and-recovery.md#logical-copy). Physical
 * backups and WAL archiving are the production complement (docs/backup-and-recovery.md).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { chainHead } from '../audit/records.ts';
import type { Config } from '../config.ts';
import { schemaVersion } from '../db/migrate.ts';
import type { Sql, TxSql } from '../db/pool.ts';
import { consistentRead } from '../db/transaction.ts';
import type { BackupKind } from '../domain/backups.ts';
import { appVersion } from './app-version.ts';
import { listSequences, listTables, readSequences, type TableInfo } from './catalog.ts';
import { configSnapshot } from './config-snapshot.ts';
import { copyOut } from './copy-out.ts';
import { pinCopyFormat } from './copy-format.ts';
import { type BackupKey, encryptor } from './encryption.ts';
import { CONFIG_FILE, tableFile } from './files.ts';
import { HashTap } from './hash-tap.ts';
import { type Manifest, MANIFEST_FORMAT, type TableEntry, writeManifest } from './manifest.ts';
import { RowDigest } from './row-digest.ts';

/** gzip level 3: most of level 6's ratio on COPY text at about twice its speed on our 2 cores. */
const GZIP_LEVEL = 3;

export interface BackupProgress {
  table: string;
  rawBytes: number;
  tablesDone: number;
  tables: number;
}

export interface WriteBackupInput {
  id: string;
  kind: BackupKind;
  /** The backup's own directory (emptied first: a retried attempt starts over). */
  dir: string;
  config: Config;
  key?: BackupKey | undefined;
  onProgress?: ((progress: BackupProgress) => void) | undefined;
  now?: (() => Date) | undefined;
}

export interface WrittenBackup {
  manifest: Manifest;
  manifestSha256: string;
}

/** Flush a file to disk: a backup that only reached the page cache is not yet a backup. */
async function syncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeTable(tx: TxSql, dir: string, table: TableInfo, key: BackupKey | undefined, progress: (rawBytes: number) => void): Promise<TableEntry> {
  const file = tableFile(table.name, key !== undefined);
  const digest = new RowDigest(progress);
  const tap = new HashTap();
  const encryption = key ? encryptor(key) : undefined;
  const stages: Transform[] = [digest, createGzip({ level: GZIP_LEVEL }), ...(encryption ? [encryption.stream] : []), tap];
  const source = await copyOut(tx, table.name, table.columns);
  await pipeline([source, ...stages, createWriteStream(path.join(dir, file), { mode: 0o600 })]);
  await syncPath(path.join(dir, file));
  return {
    name: table.name,
    columns: table.columns,
    file,
    rows: digest.rows,
    rowsDigest: digest.digest,
    rawBytes: digest.bytes,
    bytes: tap.bytes,
    sha256: tap.sha256,
    encryption: encryption ? encryption.finish() : null,
  };
}

export async function writeBackup(sql: Sql, input: WriteBackupInput): Promise<WrittenBackup> {
  const now = input.now ?? (() => new Date());
  const startedAt = now();
  const { dir, key } = input;
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'data'), { recursive: true, mode: 0o700 });

  // Audit records still queued (audit_inbox) are backed up as they are, never waited for: a
  // restore seals them into the chain (audit-merge.ts).
  const snapshot = await consistentRead(sql, async (tx) => {
    await pinCopyFormat(tx);
    const [clock] = await tx<{ snapshotAt: Date; serverVersion: string }[]>`
      select now() as "snapshotAt", current_setting('server_version') as "serverVersion"`;
    const version = await schemaVersion(tx);
    const auditHead = await chainHead(tx);
    const tables = await listTables(tx);
    const sequences = await readSequences(tx, await listSequences(tx));
    const config = await configSnapshot(tx, input.config);
    const entries: TableEntry[] = [];
    for (const table of tables) {
      const report = (rawBytes: number) => input.onProgress?.({ table: table.name, rawBytes, tablesDone: entries.length, tables: tables.length });
      entries.push(await writeTable(tx, dir, table, key, report));
      report(entries.at(-1)!.rawBytes);
    }
    return { clock: clock!, version, auditHead, sequences, config, entries };
  });

  const configText = `${JSON.stringify(snapshot.config, null, 2)}\n`;
  await writeFile(path.join(dir, CONFIG_FILE), configText, { mode: 0o600 });
  await syncPath(path.join(dir, CONFIG_FILE));

  const entries = snapshot.entries;
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    id: input.id,
    kind: input.kind,
    startedAt: startedAt.toISOString(),
    endedAt: now().toISOString(),
    snapshotAt: snapshot.clock.snapshotAt.toISOString(),
    appVersion: appVersion(),
    schemaVersion: snapshot.version,
    serverVersion: snapshot.clock.serverVersion,
    compression: 'gzip',
    encryption: key ? { algorithm: 'aes-256-gcm', keyId: key.keyId } : null,
    auditHead: { seq: snapshot.auditHead.seq, hash: snapshot.auditHead.hash },
    sequences: snapshot.sequences,
    tables: entries,
    config: { file: CONFIG_FILE, bytes: Buffer.byteLength(configText), sha256: createHash('sha256').update(configText).digest('hex') },
    totals: {
      rows: entries.reduce((n, t) => n + t.rows, 0),
      bytes: entries.reduce((n, t) => n + t.bytes, 0),
      rawBytes: entries.reduce((n, t) => n + t.rawBytes, 0),
    },
  };
  const manifestSha256 = await writeManifest(dir, manifest);
  await syncPath(dir);
  return { manifest, manifestSha256 };
}
