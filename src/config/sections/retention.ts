/** Retention of audit records, trades and sessions. */
import { z } from 'zod';
import { bool, int, hhmm } from '../schema.ts';

export const retentionSettings = z.object({
  AUDIT_RETENTION_DAYS: int(1).default(1827).describe('Audit records older than this are archived to files and removed (SEBI: keep at least 5 years)'),
  TRADE_RETENTION_DAYS: int(1).default(1827).describe('Closed trades with their orders and fills older than this are archived and removed'),
  RETENTION_ALLOW_SHORT: bool.default(false).describe('Allow AUDIT/TRADE_RETENTION_DAYS below 5 years (explicit override of the SEBI minimum)'),
  SESSION_RETENTION_DAYS: int(1).default(30).describe('Ended sessions, used refresh tokens, login failures and expired blocks are purged after this'),
  LIVE_EVENT_RETENTION_DAYS: int(1).default(7).describe('Live-update events (GET /events) older than this are purged; a client away longer cannot resume with Last-Event-ID and reloads instead'),
  RETENTION_TIME: hhmm.default('16:30').describe('IST time of the daily retention cleanup and audit anchor'),
}).describe('Retention of audit records, trades and sessions');
export type RetentionSettings = z.infer<typeof retentionSettings>;
