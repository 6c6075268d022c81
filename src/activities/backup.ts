/**
 * What the backup workflow does to the world: write a backup, verify it in a scratch database,
 * record failures, and apply retention. Every change of the registry commits with its audit
 * record (BACKUP_COMPLETED, BACKUP_FAILED, BACKUP_VERIFIED, BACKUP_VERIFICATION_FAILED,
 * BACKUP_REMOVED).
 *
 * @module
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Actor } from '../audit/events.ts';
import { writeBackup } from '../backup/create.ts';
import { backupKey } from '../backup/encryption.ts';
import { backupDir, backupRoot } from '../backup/files.ts';
import { readManifest } from '../backup/manifest.ts';
import { verifyBackup as verifyInScratch, type VerificationReport, writeVerification } from '../backup/verify.ts';
import { completeBackupRow, deleteBackupRow, failBackupRow, getBackupRow, listBackupRows, recordVerificationRow, settleAbandonedRow, startBackupRow } from '../db/backups.ts';
import { transaction } from '../db/transaction.ts';
import { planRetention, type RetentionPolicy } from '../domain/backup-retention.ts';
import { ABANDONED_ERROR, abandonedAs, type BackupKind } from '../domain/backups.ts';
import { AppError, NotFoundError } from '../domain/errors.ts';
import { type ActivityDeps, callingWorkflow, heartbeat } from './context.ts';

const BACKUP_ACTOR: Actor = { type: 'system', id: 'backup' };
/** Failed backups kept as evidence until a verified one follows them. */
const KEEP_FAILED = 3;
/** Problems carried into an audit record (the full list is in verification.json). */
const MAX_PROBLEMS = 20;

export interface CreateBackupInput {
  backupId: string;
  kind: BackupKind;
  requestedBy?: Actor | undefined;
}

export interface BackupCreated {
  backupId: string;
  tables: number;
  rows: number;
  bytes: number;
  durationMs: number;
}

export interface BackupVerification {
  backupId: string;
  ok: boolean;
  problems: string[];
}

export function retentionPolicy(config: ActivityDeps['config']): RetentionPolicy {
  return {
    keep: { daily: config.backup.BACKUP_KEEP_DAILY, weekly: config.backup.BACKUP_KEEP_WEEKLY, monthly: config.backup.BACKUP_KEEP_MONTHLY, manual: config.backup.BACKUP_KEEP_MANUAL },
    inFlightMs: config.backup.BACKUP_TIMEOUT_MIN * 60_000,
    keepFailed: KEEP_FAILED,
  };
}

export function backupActivities(deps: ActivityDeps) {
  const { config, sql, audit, log } = deps;
  const now = deps.now ?? (() => new Date());
  const root = backupRoot(config);
  const key = backupKey(config.backup.BACKUP_ENCRYPTION_KEY);

  async function recordVerification(backupId: string, kind: BackupKind, report: Pick<VerificationReport, 'ok' | 'problems' | 'durationMs'> & Partial<VerificationReport>, actor: Actor) {
    const { workflowId, runId } = callingWorkflow();
    await transaction(sql, async (tx) => {
      await recordVerificationRow(tx, backupId, { ok: report.ok, at: now(), durationMs: report.durationMs, error: report.ok ? undefined : report.problems.join('; ').slice(0, 2000) });
      await audit.append(tx, {
        type: report.ok ? 'BACKUP_VERIFIED' : 'BACKUP_VERIFICATION_FAILED',
        actor,
        workflowId,
        runId,
        payload: {
          backupId,
          kind,
          durationMs: report.durationMs,
          tables: report.tables?.length,
          auditRecords: report.chain?.records,
          problems: report.problems.slice(0, MAX_PROBLEMS),
        },
      });
    });
    if (!report.ok) log.error({ alert: 'backup_verification_failed', backupId, problems: report.problems.slice(0, MAX_PROBLEMS) }, `backup ${backupId} failed verification`);
  }

  /**
   * Runs that timed out left their rows RUNNING (or COMPLETED, stuck in verification) with no
   * failure recorded, so no alert named them: settle them as failed, audited, before a new run.
   */
  async function settleAbandoned(): Promise<void> {
    const inFlightMs = retentionPolicy(config).inFlightMs;
    const abandoned = (await listBackupRows(sql)).flatMap((row) => {
      const as = abandonedAs(row, now(), inFlightMs);
      return as ? [{ row, as }] : [];
    });
    if (!abandoned.length) return;
    const { workflowId, runId } = callingWorkflow();
    await transaction(sql, async (tx) => {
      for (const { row, as } of abandoned) {
        if (!(await settleAbandonedRow(tx, row, as, ABANDONED_ERROR, now()))) continue;
        const type = as === 'FAILED' ? 'BACKUP_FAILED' : 'BACKUP_VERIFICATION_FAILED';
        await audit.append(tx, { type, actor: BACKUP_ACTOR, workflowId, runId, payload: { backupId: row.id, kind: row.kind, error: ABANDONED_ERROR, abandoned: true } });
      }
    });
    for (const { row, as } of abandoned) log.error({ alert: 'backup_failed', backupId: row.id, status: as }, `backup ${row.id} never finished; recorded as ${as}`);
  }

  return {
    /** Write the backup's files and manifest; a retried attempt starts the same backup over. */
    async createBackup(input: CreateBackupInput): Promise<BackupCreated> {
      await settleAbandoned();
      const existing = await getBackupRow(sql, input.backupId);
      if (existing && (existing.status === 'COMPLETED' || existing.status === 'VERIFIED' || existing.status === 'VERIFICATION_FAILED')) {
        // An earlier attempt finished but its result was lost: report it, do not write it twice.
        return { backupId: existing.id, tables: existing.tables ?? 0, rows: existing.rowCount ?? 0, bytes: existing.bytes ?? 0, durationMs: existing.durationMs ?? 0 };
      }
      const dir = backupDir(root, input.backupId);
      const { workflowId, runId } = callingWorkflow();
      const startedAt = now();
      await startBackupRow(sql, { id: input.backupId, kind: input.kind, directory: dir, workflowId: workflowId ?? null, startedAt });
      const { manifest, manifestSha256 } = await writeBackup(sql, { id: input.backupId, kind: input.kind, dir, config, key, onProgress: (p) => heartbeat(p), now });
      const durationMs = now().getTime() - startedAt.getTime();
      await transaction(sql, async (tx) => {
        await completeBackupRow(tx, input.backupId, {
          snapshotAt: new Date(manifest.snapshotAt),
          finishedAt: new Date(manifest.endedAt),
          durationMs,
          tables: manifest.tables.length,
          rowCount: manifest.totals.rows,
          bytes: manifest.totals.bytes,
          schemaVersion: manifest.schemaVersion,
          encrypted: manifest.encryption !== null,
          manifestSha256,
        });
        await audit.append(tx, {
          type: 'BACKUP_COMPLETED',
          actor: input.requestedBy ?? BACKUP_ACTOR,
          workflowId,
          runId,
          payload: {
            backupId: input.backupId,
            kind: input.kind,
            tables: manifest.tables.length,
            rows: manifest.totals.rows,
            bytes: manifest.totals.bytes,
            durationMs,
            schemaVersion: manifest.schemaVersion,
            encrypted: manifest.encryption !== null,
            auditHeadSeq: manifest.auditHead.seq,
            manifestSha256,
          },
        });
      });
      log.info({ backupId: input.backupId, kind: input.kind, rows: manifest.totals.rows, bytes: manifest.totals.bytes, durationMs }, 'backup written');
      return { backupId: input.backupId, tables: manifest.tables.length, rows: manifest.totals.rows, bytes: manifest.totals.bytes, durationMs };
    },

    async recordBackupFailed(input: CreateBackupInput & { error: string }): Promise<void> {
      const { workflowId, runId } = callingWorkflow();
      await transaction(sql, async (tx) => {
        await failBackupRow(tx, { id: input.backupId, kind: input.kind, directory: backupDir(root, input.backupId), workflowId: workflowId ?? null, error: input.error.slice(0, 2000), at: now() });
        await audit.append(tx, { type: 'BACKUP_FAILED', actor: input.requestedBy ?? BACKUP_ACTOR, workflowId, runId, payload: { backupId: input.backupId, kind: input.kind, error: input.error.slice(0, 500) } });
      });
      log.error({ alert: 'backup_failed', backupId: input.backupId, error: input.error }, `backup ${input.backupId} failed`);
    },

    /** Restore into a scratch database and compare; records the outcome either way. */
    async verifyBackup(input: { backupId: string; requestedBy?: Actor | undefined }): Promise<BackupVerification> {
      const row = await getBackupRow(sql, input.backupId);
      if (!row) throw new NotFoundError(`backup ${input.backupId}`);
      if (row.status === 'VERIFIED') return { backupId: row.id, ok: true, problems: [] };
      const actor = input.requestedBy ?? BACKUP_ACTOR;
      const adminUrl = config.database.DATABASE_ADMIN_URL ?? config.database.DATABASE_URL;
      if (!adminUrl) throw new AppError('backup-misconfigured', 'Verification needs DATABASE_ADMIN_URL or DATABASE_URL', { category: 'internal', status: 500 });

      let loaded;
      try {
        loaded = await readManifest(row.directory);
      } catch (err) {
        const problems = [`manifest.json: ${err instanceof Error ? err.message : String(err)}`];
        await recordVerification(row.id, row.kind, { ok: false, problems, durationMs: 0 }, actor);
        return { backupId: row.id, ok: false, problems };
      }
      if (loaded.sha256 !== row.manifestSha256) {
        const problems = ['manifest.json changed after the backup was written'];
        await recordVerification(row.id, row.kind, { ok: false, problems, durationMs: 0 }, actor);
        return { backupId: row.id, ok: false, problems };
      }
      const report = await verifyInScratch({ adminUrl, dir: row.directory, manifest: loaded.manifest, key, log, onProgress: () => heartbeat({ verifying: row.id }) });
      await writeVerification(row.directory, report, loaded.sha256);
      await recordVerification(row.id, row.kind, report, actor);
      log.info({ backupId: row.id, ok: report.ok, durationMs: report.durationMs }, 'backup verification finished');
      return { backupId: row.id, ok: report.ok, problems: report.problems };
    },

    /** Verification itself could not run (after its retries): the backup does not count. */
    async recordVerificationFailed(input: { backupId: string; error: string; requestedBy?: Actor | undefined }): Promise<void> {
      const row = await getBackupRow(sql, input.backupId);
      if (!row) return;
      await recordVerification(row.id, row.kind, { ok: false, problems: [`verification could not run: ${input.error}`], durationMs: 0 }, input.requestedBy ?? BACKUP_ACTOR);
    },

    /** Remove what grandfather-father-son retention no longer keeps: files, then the registry row with its audit record. */
    async applyBackupRetention(): Promise<{ removed: string[] }> {
      const rows = await listBackupRows(sql);
      const plan = planRetention(rows, retentionPolicy(config), now());
      const { workflowId, runId } = callingWorkflow();
      const removed: string[] = [];
      for (const { id, reason } of plan.remove) {
        const row = rows.find((r) => r.id === id)!;
        // Only ever a backup's own directory, never the root or anything else the row might name.
        if (path.basename(row.directory) === row.id && path.resolve(row.directory) !== path.resolve(root)) {
          await rm(row.directory, { recursive: true, force: true });
        }
        await transaction(sql, async (tx) => {
          await deleteBackupRow(tx, id);
          await audit.append(tx, {
            type: 'BACKUP_REMOVED',
            actor: BACKUP_ACTOR,
            workflowId,
            runId,
            payload: { backupId: id, kind: row.kind, status: row.status, reason, startedAt: row.startedAt.toISOString(), bytes: row.bytes },
          });
        });
        removed.push(id);
        heartbeat({ removed: removed.length });
      }
      if (removed.length) log.info({ removed }, 'backups removed by retention');
      return { removed };
    },
  };
}
