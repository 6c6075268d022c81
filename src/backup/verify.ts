/**
 * Verification: a backup counts only once it has been restored and compared (ARCHITECTURE.md
 * invariant 5). The files are checked against the manifest's SHA-256 first; then the backup is
 * restored, through the same code as a real restore, into a scratch database migrated to the
 * manifest's schema version; every table's rows are compared with the manifest by row digest,
 * the sequences and the audit head likewise, and the audit chain is verified. The scratch
 * database is dropped whatever happens.
 *
 * @module
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { verifyChain } from '../audit/verify.ts';
import { chainHead } from '../audit/records.ts';
import { migrate } from '../db/migrate.ts';
import type { Sql } from '../db/pool.ts';
import { consistentRead } from '../db/transaction.ts';
import type { Logger } from '../config/logger.ts';
import { readSequences } from './catalog.ts';
import { copyOut } from './copy-out.ts';
import { pinCopyFormat } from './copy-format.ts';
import type { BackupKey } from './encryption.ts';
import { checkFiles, VERIFICATION_FILE } from './files.ts';
import type { Manifest } from './manifest.ts';
import { restoreBackup } from './restore.ts';
import { RowDigest } from './row-digest.ts';
import { createScratchDatabase, scratchName } from './scratch-db.ts';

export interface TableCheck {
  name: string;
  rows: number;
  expectedRows: number;
  match: boolean;
}

export interface VerificationReport {
  backupId: string;
  ok: boolean;
  problems: string[];
  tables: TableCheck[];
  chain?: { ok: boolean; records: number; firstBadRecord?: { seq: number; reason: string } | undefined };
  scratchDatabase?: string;
  startedAt: string;
  durationMs: number;
}

export interface VerifyInput {
  /** Owner connection URL with CREATEDB (DATABASE_ADMIN_URL, else DATABASE_URL). */
  adminUrl: string;
  dir: string;
  manifest: Manifest;
  key?: BackupKey | undefined;
  log: Logger;
  onProgress?: (() => void) | undefined;
}

/** Compare what the scratch database holds with the manifest; returns the problems. */
async function compare(sql: Sql, manifest: Manifest, tables: TableCheck[], onProgress: () => void): Promise<string[]> {
  return consistentRead(sql, async (tx) => {
    await pinCopyFormat(tx);
    const problems: string[] = [];
    for (const entry of manifest.tables) {
      const digest = new RowDigest(onProgress);
      await pipeline(await copyOut(tx, entry.name, entry.columns), digest, new Writable({ write: (_c, _e, done) => done() }));
      const match = digest.rows === entry.rows && digest.digest === entry.rowsDigest;
      tables.push({ name: entry.name, rows: digest.rows, expectedRows: entry.rows, match });
      if (!match) problems.push(`${entry.name}: restored ${digest.rows} rows (backup ${entry.rows}) and the row digests ${digest.digest === entry.rowsDigest ? 'match' : 'differ'}`);
      onProgress();
    }
    for (const s of await readSequences(tx, manifest.sequences)) {
      const expected = manifest.sequences.find((m) => m.name === s.name)!;
      if (s.lastValue !== expected.lastValue || s.isCalled !== expected.isCalled) {
        problems.push(`sequence ${s.name}: ${s.lastValue}/${s.isCalled}, backup ${expected.lastValue}/${expected.isCalled}`);
      }
    }
    const head = await chainHead(tx);
    if (head.seq !== manifest.auditHead.seq || head.hash !== manifest.auditHead.hash) problems.push(`audit head ${head.seq} differs from the backup's ${manifest.auditHead.seq}`);
    return problems;
  });
}

export async function verifyBackup(input: VerifyInput): Promise<VerificationReport> {
  const started = Date.now();
  const { manifest, log } = input;
  const onProgress = input.onProgress ?? (() => {});
  const report: VerificationReport = { backupId: manifest.id, ok: false, problems: [], tables: [], startedAt: new Date(started).toISOString(), durationMs: 0 };
  const finish = () => ({ ...report, ok: report.problems.length === 0, durationMs: Date.now() - started });

  report.problems = await checkFiles(input.dir, manifest);
  if (report.problems.length) return finish();

  const scratch = await createScratchDatabase(input.adminUrl, scratchName(manifest.id));
  report.scratchDatabase = scratch.name;
  try {
    const { version } = await migrate(scratch.sql, log.child({ scratch: scratch.name }), { upTo: manifest.schemaVersion });
    if (version !== manifest.schemaVersion) {
      report.problems.push(`this build has migrations up to ${version}, the backup needs ${manifest.schemaVersion}`);
      return finish();
    }
    try {
      await restoreBackup(scratch.sql, input.dir, manifest, { key: input.key, checkChain: false, sealQueued: false, onProgress: () => onProgress() });
    } catch (err) {
      report.problems.push(`restore failed: ${err instanceof Error ? err.message : String(err)}`);
      return finish();
    }
    report.problems.push(...(await compare(scratch.sql, manifest, report.tables, onProgress)));
    const chain = await verifyChain(scratch.sql, { onProgress: () => onProgress() });
    report.chain = { ok: chain.ok, records: chain.records, firstBadRecord: chain.firstBadRecord };
    if (!chain.ok) report.problems.push(`audit chain broken at record ${chain.firstBadRecord?.seq}: ${chain.firstBadRecord?.reason}`);
    return finish();
  } finally {
    await scratch.drop().catch((err: unknown) => log.error({ err, database: scratch.name }, 'could not drop the verification scratch database'));
  }
}

/** Keep the outcome next to the backup, so the directory alone says whether it was verified. */
export async function writeVerification(dir: string, report: VerificationReport, manifestSha256: string): Promise<void> {
  await writeFile(path.join(dir, VERIFICATION_FILE), `${JSON.stringify({ ...report, manifestSha256 }, null, 2)}\n`, { mode: 0o600 });
}
