/**
 * A second copy of every audit record, as one JSON line in a daily file under
 * `DATA_DIR/audit/` (UTC day). It must never block trading: a write that fails is logged as an
 * alert-worthy event and counted, and the transaction it follows has already committed.
 *
 * @module
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../config/logger.ts';
import type { AuditRecord } from './events.ts';

export interface AuditFileCopy {
  write(record: AuditRecord): Promise<void>;
  /** Writes that failed since start, for metrics and alerts. */
  readonly failures: number;
}

export function dailyFileName(occurredAt: string): string {
  return `audit-${occurredAt.slice(0, 10)}.jsonl`;
}

/** `registry`: the process's, where `breeze_audit_file_copy_failures_total` counts the failed writes for Prometheus. */
export function createAuditFileCopy(dir: string, log: Logger, registry?: Registry): AuditFileCopy {
  let failures = 0;
  const counter = registry && new Counter({ name: 'breeze_audit_file_copy_failures_total', help: 'Audit records whose copy to the daily file failed (the database has them)', registers: [registry] });
  let ready: Promise<unknown> | undefined;
  return {
    get failures() {
      return failures;
    },
    async write(record) {
      try {
        ready ??= mkdir(dir, { recursive: true });
        await ready;
        // One appendFile per record: O_APPEND keeps concurrent writers' lines whole.
        await appendFile(path.join(dir, dailyFileName(record.occurredAt)), `${JSON.stringify(record)}\n`, { mode: 0o640 });
      } catch (err) {
        failures++;
        counter?.inc();
        ready = undefined;
        log.error({ err, alert: 'audit_file_copy_failed', seq: record.seq, dir }, 'audit file copy failed; the database record is safe');
      }
    },
  };
}
