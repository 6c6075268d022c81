/**
 * The retention cleanup's steps: anchor the audit chain outside the database, archive old audit
 * records and old trades, purge expired security rows, and record the run in the audit trail.
 *
 * @module
 */
import path from 'node:path';
import { anchorsFile, writeAnchor } from '../audit/anchor.ts';
import { archiveAuditBefore } from '../audit/archive.ts';
import { auditAnchorKey } from '../config.ts';
import { purgeEventsBefore } from '../db/events.ts';
import { archiveTradesBefore, purgeSecurityRows, type SecurityPurge } from '../db/retention.ts';
import { transaction } from '../db/transaction.ts';
import type { ActivityDeps } from './context.ts';

export interface RetentionSummary {
  auditArchived: number;
  auditArchiveFiles: string[];
  tradesArchived: number;
  security: SecurityPurge;
  anchorSeq: number;
}

const DAY_MS = 86_400_000;

export function retentionActivities(deps: ActivityDeps) {
  const auditDir = path.join(deps.config.dataDir, 'audit');
  const now = deps.now ?? (() => new Date());
  return {
    async anchorAuditChain(): Promise<number> {
      const anchor = await writeAnchor(deps.sql, anchorsFile(deps.config.dataDir), auditAnchorKey(deps.config.security), deps.log);
      return anchor.seq;
    },

    /** One batch of old audit records; the workflow calls again while a batch comes back full. */
    async archiveOldAudit(maxRecords: number): Promise<{ archived: number; file?: string | undefined }> {
      const cutoff = new Date(now().getTime() - deps.config.retention.AUDIT_RETENTION_DAYS * DAY_MS);
      const result = await archiveAuditBefore(deps.sql, deps.audit, path.join(auditDir, 'archive'), cutoff, maxRecords);
      return { archived: result.archived, file: result.file && path.basename(result.file) };
    },

    async archiveOldTrades(): Promise<number> {
      const cutoff = new Date(now().getTime() - deps.config.retention.TRADE_RETENTION_DAYS * DAY_MS);
      return (await archiveTradesBefore(deps.sql, path.join(deps.config.dataDir, 'archive', 'trades'), cutoff)).trades;
    },

    /** Expired security rows, and live-update events past LIVE_EVENT_RETENTION_DAYS (counted as `liveEvents`). */
    async purgeExpiredSecurityRows(): Promise<SecurityPurge & { liveEvents: number }> {
      const security = await purgeSecurityRows(deps.sql, deps.config.retention.SESSION_RETENTION_DAYS);
      const liveEvents = await purgeEventsBefore(deps.sql, new Date(now().getTime() - deps.config.retention.LIVE_EVENT_RETENTION_DAYS * DAY_MS));
      return { ...security, liveEvents };
    },

    async recordRetentionRun(summary: Omit<RetentionSummary, 'anchorSeq'>): Promise<void> {
      await transaction(deps.sql, (tx) =>
        deps.audit.append(tx, {
          type: 'RETENTION_CLEANUP',
          actor: { type: 'system', id: 'retention' },
          payload: { ...summary, auditRetentionDays: deps.config.retention.AUDIT_RETENTION_DAYS, tradeRetentionDays: deps.config.retention.TRADE_RETENTION_DAYS },
        }),
      );
    },
  };
}
