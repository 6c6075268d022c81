/**
 * Daily retention cleanup (on a Temporal Schedule, after market close): anchor the audit chain,
 * archive audit records and trades past their retention period, purge expired security rows,
 * record the run, and anchor again so the day's last head is outside the database too.
 *
 * @module
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { RetentionSummary } from '../activities/retention.ts';

const act = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

const AUDIT_BATCH = 50_000;
/** A run archives at most this many batches; the next day's run continues. */
const MAX_BATCHES = 20;

export async function retentionWorkflow(): Promise<RetentionSummary> {
  await act.anchorAuditChain();
  let auditArchived = 0;
  const auditArchiveFiles: string[] = [];
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const { archived, file } = await act.archiveOldAudit(AUDIT_BATCH);
    auditArchived += archived;
    if (file) auditArchiveFiles.push(file);
    if (archived < AUDIT_BATCH) break;
  }
  const tradesArchived = await act.archiveOldTrades();
  const security = await act.purgeExpiredSecurityRows();
  await act.recordRetentionRun({ auditArchived, auditArchiveFiles, tradesArchived, security });
  const anchorSeq = await act.anchorAuditChain();
  return { auditArchived, auditArchiveFiles, tradesArchived, security, anchorSeq };
}
